"""The reminders' job plans from every domain's REMINDER_SOURCES (fablab/domain/reminder_types.py) and names none."""

import ast
from datetime import datetime, timedelta, timezone

from fablab.domain import reminder_types
from fablab.domain.reminder_types import Recipient, Reminder, ReminderSource
from fablab.reports import reminders
from fablab.routes_registry import DOMAINS
from tests.support.paths import ROOT

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


def test_every_declared_source_is_registered():
    declared = [source.name for domain in DOMAINS for source in getattr(domain, "REMINDER_SOURCES", ())]
    assert sorted(declared) == sorted(source.name for source in reminder_types.sources())
    assert {"bookings", "bookings-withdrawn", "waitlist", "consents", "workshop-notices"} <= set(declared)


async def test_a_new_source_is_planned_without_editing_the_job(demo):
    reminder = Reminder("booking_start", {"id": 1}, Recipient(1, "Inès", "learner", "ines@example.org"),
                        NOW - timedelta(minutes=1), NOW + timedelta(hours=1))
    stale = Reminder("booking_start", {"id": 2}, Recipient(1, "Inès", "learner", "ines@example.org"),
                     NOW - timedelta(hours=2), NOW - timedelta(hours=1))

    async def plan(now, until, site_id):
        return [reminder, stale]

    reminder_types.register(ReminderSource("test-source", plan))
    try:
        planned = await reminders.plan(NOW, NOW)
        assert reminder in planned and stale not in planned, "the job keeps what is still worth sending"
    finally:
        reminder_types.unregister("test-source")
    assert reminder not in await reminders.plan(NOW, NOW)


# The job's own module reads the sent-log only: the rows that call for reminders are the sources'.
DOMAIN_TABLES = ("booking", "waitlist_entry", "workshop", "registration", "consent")


def test_the_reminders_job_names_no_domains_table():
    for path in (ROOT / "fablab" / "reports" / "reminders.py", ROOT / "fablab" / "push" / "service.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = node.value.lower().split()
                for before, table in zip(words, words[1:]):
                    assert not (before in ("from", "join") and table in DOMAIN_TABLES), (path.name, node.value[:80])
