"""What the parts domain holds about a person (fablab/person_data.py): the parts of their loans
(through the booking) and the parts staff took back."""

from fablab import codes
from fablab.parts import queries as q
from fablab.person_data import PersonTable

PERSON = (
    PersonTable(
        "part_custody", {"back_staff_id": "unlink"}, export=("part_custody", q.PERSON_PART_CUSTODY),
        retention=q.RETAIN_PART_CUSTODY, holds=(codes.PERSON_HOLDS_PART, q.PERSON_HOLDS_PARTS)),
)
