"""Every domain's declaration of the people in its tables (its `person.py`, `PERSON`), gathered the
way fablab/routes_registry.py gathers `ROUTES` and `JOBS`: a new domain adds its module here and
the export, retention, erasure, deactivation and access reset all handle its tables."""

from fablab.accounts import person as accounts
from fablab.bookings import person as bookings
from fablab.calendars import person as calendars
from fablab.consumables import person as consumables
from fablab.desk import person as desk
from fablab.inventory import person as inventory
from fablab.late import person as late
from fablab.maintenance import person as maintenance
from fablab.minors import person as minors
from fablab.parts import person as parts
from fablab.push import person as push
from fablab.reports import person as reports
from fablab.series import person as series
from fablab.visitors import person as visitors  # visitors (issue 30)
from fablab.waitlist import person as waitlist
from fablab.workshops import person as workshops

DOMAINS = [accounts, bookings, series, waitlist, inventory, parts, maintenance, calendars, reports, push, consumables,
           workshops, late, desk, visitors, minors]

TABLES = tuple(declaration for domain in DOMAINS for declaration in domain.PERSON)
