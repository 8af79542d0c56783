"""What the workshops domain holds about a person (fablab/person_data.py): their participant
profile, their sign-ups and attendance, the workshops they run, and staff's hand in others'."""

from fablab.person_data import PersonTable
from fablab.workshops import person_queries as q

PERSON_EXISTS = "while the person exists; it goes with their erasure (POST /api/users/{id}/erase)"

PERSON = (
    PersonTable(
        "participant", {"user_id": "delete", "created_by_id": "unlink"}, kept=("status",),
        export=("participant", q.PERSON_PARTICIPANT), kept_until=PERSON_EXISTS),
    PersonTable(
        "registration", {"user_id": "forget", "registered_by_id": "unlink"}, kept=("status", "seat", "notice"),
        export=("workshop_registrations", q.PERSON_REGISTRATIONS), retention=q.RETAIN_REGISTRATIONS),
    PersonTable(
        "attendance", {"recorded_by_id": "unlink"}, export=("workshop_attendance", q.PERSON_ATTENDANCE),
        retention=q.RETAIN_ATTENDANCE),
    PersonTable(
        "workshop", {"created_by_id": "unlink"}, kept=("title", "description", "audience", "status", "cancel_note"),
        not_exported="the workshop is the programme's, not its creator's: it names nobody",
        kept_until="the workshop's record; its creator is unlinked on their erasure"),
    PersonTable(
        "workshop_trainer", {"user_id": "delete"}, export=("workshops_trained", q.PERSON_WORKSHOPS_TRAINED),
        kept_until=PERSON_EXISTS),
)
