"""What the reports domain holds about a person (fablab/hooks/person_data.py): the reminders sent to them."""

from __future__ import annotations

from datetime import datetime

from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out
from fablab.reports import queries as q


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyReminderOut(Out):
    subject: str            # what it was about: 'booking:12', 'workshop_registration:45'
    booking_id: int | None
    kind: str
    status: str
    sent_at: datetime | None


PERSON = (
    # A mail server's error may quote the address: personal, and gone with the row.
    PersonTable(
        "reminder_log", {"recipient_id": "delete"}, personal=("last_error",), kept=("kind", "status", "subject"),
        export=Export("reminders", q.PERSON_REMINDERS, MyReminderOut), retention=q.RETAIN_REMINDERS),
)
