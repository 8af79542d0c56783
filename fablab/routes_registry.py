"""Every domain's route handlers and periodic jobs, gathered in one list for the app."""

from fablab.accounts.routes import ROUTES as ACCOUNT_ROUTES
from fablab.web.routes import ROUTES as WEB_ROUTES

ALL_ROUTES = [*ACCOUNT_ROUTES, *WEB_ROUTES]
PERIODIC_JOBS = []
