"""What the visitors domain holds about a person (fablab/hooks/person_data.py): a visitor's pass, and
staff's hand in the passes they made."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out
from fablab.visitors import queries as q


# What the export shows of each section (GET /api/users/{id}/data): typed, so a column a query adds
# without a field here fails the tests instead of vanishing from the answer.
class MyVisitorPassOut(Out):
    site: str
    valid_from: date
    valid_until: date
    age_band: str | None
    purpose: str
    created_at: datetime
    anonymised_at: datetime | None
    involvement: Literal["visitor", "staff"]


PERSON = (
    PersonTable(
        "visitor_pass", {"user_id": "delete", "created_by_id": "unlink"}, personal=("purpose",), kept=("age_band",),
        export=Export("visitor_passes", q.PERSON_VISITOR_PASS, MyVisitorPassOut),
        kept_until=("the visitor is forgotten (name, purpose, pass) the admin's delay after the pass's last day, "
                    "30 days by default (PUT /api/admin/visitor-retention); the row stays, counted by the impact "
                    "report; it goes with the person's erasure"),
        expiry=q.FORGET_EXPIRED),
)
