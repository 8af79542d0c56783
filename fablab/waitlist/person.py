"""What the waitlist domain holds about a person (fablab/person_data.py): their wishes for a slot."""

from fablab.person_data import PersonTable
from fablab.waitlist import queries as q

PERSON = (
    PersonTable(
        "waitlist_entry", {"user_id": "delete"}, kept=("kind", "status", "skip_reason"),
        export=("waitlist", q.PERSON_WAITLIST), retention=q.RETAIN_WAITLIST, deactivate=q.PERSON_LEAVE_WAITLIST),
)
