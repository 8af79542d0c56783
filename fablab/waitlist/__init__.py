"""Waitlists: "tell me when one frees", first come, first served."""
