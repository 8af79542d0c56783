"""Every domain's route handlers, periodic jobs and admission checks, gathered for the app."""

from fablab.domain import reminder_types
from fablab.hooks import admission, closure_effects, feed_events, unit_gates

from fablab.accounts import routes as accounts
from fablab.bookings import routes as bookings
from fablab.calendars import routes as calendars
from fablab.consumables import routes as consumables
from fablab.desk import routes as desk
from fablab.inventory import routes as inventory
from fablab.late import routes as late
from fablab.parts import routes as parts
from fablab.people import routes as people
from fablab.maintenance import routes as maintenance
from fablab.minors import routes as minors
from fablab.push import routes as push
from fablab.reports import routes as reports
from fablab.series import routes as series
from fablab.sites import routes as sites
from fablab.visitors import routes as visitors  # visitors (issue 30)
from fablab.waitlist import routes as waitlist
from fablab.web import routes as web
from fablab.workshops import routes as workshops

DOMAINS = [accounts, sites, bookings, series, waitlist, inventory, parts, maintenance, calendars, reports, push,
           consumables, late, desk, workshops, visitors, minors, people, web]

ALL_ROUTES = [handler for domain in DOMAINS for handler in domain.ROUTES]
PERIODIC_JOBS = [job for domain in DOMAINS for job in getattr(domain, "JOBS", [])]

# Who may take a booking, a loan or a seat (fablab/hooks/admission.py): each domain's ADMISSION checks;
# what a closure of a site's days does to each domain's plans (fablab/hooks/closure_effects.py);
# what may keep a unit from being booked or lent (fablab/hooks/unit_gates.py);
# what each domain shows in the calendar feeds (fablab/hooks/feed_events.py); where reminders come from
# (fablab/domain/reminder_types.py).
for domain in DOMAINS:
    for gate in getattr(domain, "UNIT_GATES", ()):
        unit_gates.register(gate)
    for check in getattr(domain, "ADMISSION", ()):
        admission.register(check)
    for effect in getattr(domain, "CLOSURE_EFFECTS", ()):
        closure_effects.register(effect)
    for events in getattr(domain, "FEED_EVENTS", ()):
        feed_events.register(events)
    for source in getattr(domain, "REMINDER_SOURCES", ()):
        reminder_types.register(source)
