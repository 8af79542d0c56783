"""What the maintenance domain holds about a person (fablab/person_data.py): the maintenance staff did."""

from fablab.maintenance import queries as q
from fablab.person_data import PersonTable

PERSON = (
    PersonTable(
        "maintenance_record", {"staff_id": "forget"}, personal=("note",), kept=("task",),
        export=("maintenance_records", q.PERSON_MAINTENANCE), retention=q.RETAIN_MAINTENANCE),
)
