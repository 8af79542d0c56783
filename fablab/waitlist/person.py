"""What the waitlist domain holds about a person (fablab/hooks/person_data.py): their wishes for a slot."""

from __future__ import annotations

from datetime import date, datetime

from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out
from fablab.waitlist import queries as q


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyWaitlistEntryOut(Out):
    id: int
    site: str
    kind: str
    day: date
    starts_at: datetime
    ends_at: datetime
    status: str
    booking_id: int | None
    created_at: datetime


PERSON = (
    PersonTable(
        "waitlist_entry", {"user_id": "delete"}, kept=("kind", "status", "skip_reason"),
        export=Export("waitlist", q.PERSON_WAITLIST, MyWaitlistEntryOut), retention=q.RETAIN_WAITLIST, deactivate=q.PERSON_LEAVE_WAITLIST),
)
