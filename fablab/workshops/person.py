"""What the workshops domain holds about a person (fablab/hooks/person_data.py): their participant
profile, their sign-ups and attendance, the workshops they run, and staff's hand in others'."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out
from fablab.workshops import person_queries as q

PERSON_EXISTS = "while the person exists; it goes with their erasure (POST /api/users/{id}/erase)"


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyParticipantOut(Out):
    status: str
    partner: str | None
    created_at: datetime
    updated_at: datetime


class MyRegistrationOut(Out):
    id: int
    workshop: str
    site: str
    starts_at: datetime
    ends_at: datetime
    status: str
    seat: str | None
    partner: str | None
    created_at: datetime
    seated_at: datetime | None
    cancelled_at: datetime | None
    involvement: Literal["participant", "staff"]


class MyAttendanceOut(Out):
    workshop: str
    arrived_at: datetime
    left_at: datetime
    recorded_at: datetime
    involvement: Literal["participant", "staff"]


class MyWorkshopTrainedOut(Out):
    workshop: str
    site: str
    starts_at: datetime
    ends_at: datetime


PERSON = (
    PersonTable(
        "participant", {"user_id": "delete", "created_by_id": "unlink"}, kept=("status",),
        export=Export("participant", q.PERSON_PARTICIPANT, MyParticipantOut, single=True), kept_until=PERSON_EXISTS),
    PersonTable(
        "registration", {"user_id": "forget", "registered_by_id": "unlink"}, kept=("status", "seat", "notice"),
        export=Export("workshop_registrations", q.PERSON_REGISTRATIONS, MyRegistrationOut), retention=q.RETAIN_REGISTRATIONS),
    PersonTable(
        "attendance", {"recorded_by_id": "unlink"}, export=Export("workshop_attendance", q.PERSON_ATTENDANCE, MyAttendanceOut),
        retention=q.RETAIN_ATTENDANCE),
    PersonTable(
        "workshop", {"created_by_id": "unlink"}, kept=("title", "description", "audience", "status", "cancel_note"),
        not_exported="the workshop is the programme's, not its creator's: it names nobody",
        kept_until="the workshop's record; its creator is unlinked on their erasure"),
    PersonTable(
        "workshop_trainer", {"user_id": "delete"}, export=Export("workshops_trained", q.PERSON_WORKSHOPS_TRAINED, MyWorkshopTrainedOut),
        kept_until=PERSON_EXISTS),
)
