"""Bookings: policies, availability, reservations, no-shows."""
