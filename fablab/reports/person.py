"""What the reports domain holds about a person (fablab/person_data.py): the reminders sent to them."""

from fablab.person_data import PersonTable
from fablab.reports import queries as q

PERSON = (
    # A mail server's error may quote the address: personal, and gone with the row.
    PersonTable(
        "reminder_log", {"recipient_id": "delete"}, personal=("last_error",), kept=("kind", "status"),
        export=("reminders", q.PERSON_REMINDERS), retention=q.RETAIN_REMINDERS),
)
