"""Recurring bookings: a weekly rule, and the ordinary bookings it makes."""
