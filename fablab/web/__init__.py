"""Serving the web app (static/), the tag page, security headers."""
