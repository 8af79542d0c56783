"""What the consumables domain holds about a person (fablab/hooks/person_data.py): the ledger rows charged
to them or written by them, and the print outcomes of their bookings or recorded by them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fablab.consumables import queries as q
from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyConsumableMovementOut(Out):
    id: int
    consumable: str
    unit: str
    kind: str
    delta: int
    booking_id: int | None
    at: datetime
    note: str
    involvement: Literal["user", "staff"]


class MyPrintLogOut(Out):
    booking_id: int
    resource: str
    outcome: str
    recorded_at: datetime
    involvement: Literal["user", "staff"]


PERSON = (
    PersonTable(
        "consumable_movement", {"user_id": "forget", "staff_id": "forget"}, personal=("note",), kept=("kind",),
        export=Export("consumable_movements", q.PERSON_CONSUMABLE_MOVEMENTS, MyConsumableMovementOut), retention=q.RETAIN_CONSUMABLE_MOVEMENTS),
    PersonTable("print_log", {"staff_id": "unlink"}, kept=("outcome",), export=Export("print_logs", q.PERSON_PRINT_LOGS, MyPrintLogOut),
                retention=q.RETAIN_PRINT_LOGS),
)
