"""Bookings: the engine (rules, availability, create, cancel, move, the desk's hand-over and return, no-shows); the only writer of the booking table."""
