"""HTTP routes of the calendars domain."""

ROUTES: list = []
JOBS: list = []
