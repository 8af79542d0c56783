"""Minors (issue 30): guardians, consent texts, consents signed on a screen or on paper, and the admission checks."""
