"""Sites: their opening hours, closures and booking policies."""
