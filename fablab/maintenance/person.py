"""What the maintenance domain holds about a person (fablab/hooks/person_data.py): the maintenance staff did."""

from __future__ import annotations

from datetime import datetime

from fablab.maintenance import queries as q
from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyMaintenanceOut(Out):
    id: int
    resource: str
    task: str
    note: str
    at: datetime


PERSON = (
    PersonTable(
        "maintenance_record", {"staff_id": "forget"}, personal=("note",), kept=("task",),
        export=Export("maintenance_records", q.PERSON_MAINTENANCE, MyMaintenanceOut), retention=q.RETAIN_MAINTENANCE),
)
