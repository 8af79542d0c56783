"""What the parts domain holds about a person (fablab/hooks/person_data.py): the parts of their loans
(through the booking) and the parts staff took back."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fablab.domain import codes
from fablab.parts import queries as q
from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyPartCustodyOut(Out):
    part: str
    tag: str | None
    resource: str
    booking_id: int
    handed_over: bool
    out_at: datetime
    missing_at: datetime | None
    back_at: datetime | None
    involvement: Literal["holder", "staff"]


PERSON = (
    PersonTable(
        "part_custody", {"back_staff_id": "unlink"}, export=Export("part_custody", q.PERSON_PART_CUSTODY, MyPartCustodyOut),
        retention=q.RETAIN_PART_CUSTODY, holds=(codes.PERSON_HOLDS_PART, q.PERSON_HOLDS_PARTS)),
)
