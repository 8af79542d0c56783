"""HTTP routes of the reports domain."""

ROUTES: list = []
JOBS: list = []
