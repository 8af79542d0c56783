"""What the inventory domain holds about a person (fablab/hooks/person_data.py): the custody log (as
holder or as staff) and the counts staff started."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fablab.inventory import queries as q
from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyMovementOut(Out):
    id: int
    kind: str
    resource: str
    booking_id: int | None
    at: datetime
    condition: str | None
    note: str
    involvement: Literal["holder", "staff"]


class MyAuditOut(Out):
    id: int
    site: str
    started_at: datetime
    closed_at: datetime | None


PERSON = (
    PersonTable(
        "movement", {"holder_id": "forget", "staff_id": "forget"}, personal=("note",), kept=("kind", "condition"),
        export=Export("movements", q.PERSON_MOVEMENTS, MyMovementOut), retention=q.RETAIN_MOVEMENTS),
    # The report holds tags and counts, nobody's name (fablab/inventory/audits.py).
    PersonTable("audit", {"started_by_id": "unlink"}, kept=("report",), export=Export("audits", q.PERSON_AUDITS, MyAuditOut),
                retention=q.RETAIN_AUDITS),
)
