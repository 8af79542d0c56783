"""A person's lifecycle across every domain: export, retention, erasure, deactivation, access reset."""
