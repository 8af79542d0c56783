"""What the series domain holds about a person (fablab/person_data.py): their weekly series."""

from fablab.person_data import PersonTable
from fablab.series import queries as q

PERSON = (
    PersonTable(
        "booking_series", {"user_id": "forget", "created_by_id": "unlink"}, personal=("purpose",),
        kept=("kind", "rule"), export=("series", q.PERSON_SERIES), retention=q.RETAIN_SERIES,
        before_erase=q.PERSON_END_SERIES),
)
