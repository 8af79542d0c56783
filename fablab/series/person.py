"""What the series domain holds about a person (fablab/hooks/person_data.py): their weekly series."""

from __future__ import annotations

from datetime import datetime

from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out
from fablab.series import queries as q


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MySeriesOut(Out):
    id: int
    site: str
    kind: str
    resource: str | None
    quantity: int
    purpose: str
    rule: str  # the recurrence as stored, JSON (fablab/series/recurrence.py)
    created_at: datetime
    cancelled_at: datetime | None


PERSON = (
    PersonTable(
        "booking_series", {"user_id": "forget", "created_by_id": "unlink"}, personal=("purpose",),
        kept=("kind", "rule"), export=Export("series", q.PERSON_SERIES, MySeriesOut), retention=q.RETAIN_SERIES,
        before_erase=q.PERSON_END_SERIES),
)
