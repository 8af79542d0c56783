"""HTTP routes of the bookings domain."""

ROUTES: list = []
JOBS: list = []
