"""HTTP routes of the inventory domain."""

ROUTES: list = []
JOBS: list = []
