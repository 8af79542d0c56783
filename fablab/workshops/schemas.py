"""Request and response bodies of the workshops API (unknown fields refused: no mass assignment)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from fablab.domain.moments import check_body
from fablab.domain.schemas import Out
from fablab.domain.vocabulary import PARTICIPANT_STATUSES, PARTNER_KINDS, WORKSHOP_AUDIENCES

PartnerKind = Literal[PARTNER_KINDS]  # type: ignore[valid-type]
ParticipantStatus = Literal[PARTICIPANT_STATUSES]  # type: ignore[valid-type]
Audience = Literal[WORKSHOP_AUDIENCES]  # type: ignore[valid-type]
SiteSlug = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=5000)]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
BigId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
# The schema's bounds (CHECK capacity BETWEEN 1 AND 500): 0 or 501 is refused before any write.
Capacity = Annotated[int, msgspec.Meta(ge=1, le=500)]
Age = Annotated[int, msgspec.Meta(ge=0, le=120)]
# A float on the wire (msgspec bounds no Decimal); the service keeps it to the hundredth.
Hours = Annotated[float, msgspec.Meta(gt=0, le=2000)]


class PartnerIn(msgspec.Struct, forbid_unknown_fields=True):
    site: SiteSlug
    name: Title
    kind: PartnerKind
    contact: Annotated[str, msgspec.Meta(max_length=500)] = ""


class PartnerOut(Out):
    id: int
    site: str
    name: str
    kind: str
    contact: str
    active: bool


class ParticipantIn(msgspec.Struct, forbid_unknown_fields=True):
    """A young person without an account: first name and initial, birth date or year, site, partner."""

    first_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    initial: Annotated[str, msgspec.Meta(max_length=3)] = ""
    site: SiteSlug | None = None
    birth_date: date | None = None
    birth_year: Annotated[int, msgspec.Meta(ge=1900, le=2100)] | None = None
    partner: Id | None = None
    status: ParticipantStatus = "unknown"

    def __post_init__(self) -> None:
        check_body(self, days=("birth_date",))


class PartnerBrief(Out):
    id: int
    name: str
    kind: str


class ParticipantOut(Out):
    id: int
    name: str
    site: str | None
    birth_date: date | None
    birth_year: int | None
    partner: PartnerBrief | None
    status: str
    # A learner's account (signs in, signs up alone) or a participant without one.
    has_account: bool
    # A visitor of the neighbourhood (issue 30): no account, a pass for a day or a week; the desk's
    # search tells them apart from the programme's young people of the same name.
    visitor: bool


class HoldIn(msgspec.Struct, forbid_unknown_fields=True):
    """Seats kept for one partner's participants until held_until, then open to all."""

    partner: Id
    seats: Capacity
    held_until: datetime

    def __post_init__(self) -> None:
        check_body(self, instants=("held_until",))


class WorkshopIn(msgspec.Struct, forbid_unknown_fields=True):
    site: SiteSlug
    title: Title
    starts_at: datetime
    ends_at: datetime
    capacity: Capacity
    description: Description = ""
    # A room's tag: booked through the booking engine for the workshop's time.
    room: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    trainers: Annotated[list[Id], msgspec.Meta(max_length=20)] = []
    min_age: Age | None = None
    max_age: Age | None = None
    audience: Audience = "public"
    open_to_visitors: bool = False
    course: Id | None = None
    holds: Annotated[list[HoldIn], msgspec.Meta(max_length=20)] = []

    def __post_init__(self) -> None:
        check_body(self, instants=("starts_at", "ends_at"))


class WorkshopPatch(msgspec.Struct, forbid_unknown_fields=True):
    """No times nor room: cancel and create again (the room's booking and the sign-ups follow the times)."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    capacity: Capacity | msgspec.UnsetType = msgspec.UNSET
    min_age: Age | None | msgspec.UnsetType = msgspec.UNSET
    max_age: Age | None | msgspec.UnsetType = msgspec.UNSET
    audience: Audience | msgspec.UnsetType = msgspec.UNSET
    open_to_visitors: bool | msgspec.UnsetType = msgspec.UNSET
    course: Id | None | msgspec.UnsetType = msgspec.UNSET


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class HoldOut(Out):
    partner: int
    partner_name: str
    seats: int
    held_until: datetime
    seats_taken: int
    released: bool


class TrainerOut(Out):
    id: int
    name: str


class WorkshopOut(Out):
    """Public fields for anyone; `holds`, `trainers`, `seats_taken`, `held_free`, `room_booking` for
    staff of its site only (None otherwise)."""

    id: int
    site: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    room: str | None
    capacity: int
    # What anyone may take now: the capacity less seats taken and seats still held for partners.
    seats_left: int
    waiting: int
    audience: str
    open_to_visitors: bool
    min_age: int | None
    max_age: int | None
    status: str
    cancel_note: str
    course: int | None
    seats_taken: int | None = None
    held_free: int | None = None
    room_booking: int | None = None
    holds: list[HoldOut] | None = None
    trainers: list[TrainerOut] | None = None


class RegistrationIn(msgspec.Struct, forbid_unknown_fields=True):
    """None: the signed-in person themselves."""

    participant: Id | None = None


class RegistrationOut(Out):
    id: int
    workshop: int
    participant: int | None
    status: str
    # A seat's pool (open, partner) when registered; a place on the waiting list (1 first) when waiting.
    seat: str | None = None
    position: int | None = None


class RegistrationRowOut(Out):
    """A workshop's sign-up as its staff see it."""

    id: int
    participant: int | None
    name: str | None
    partner: str | None
    status: str
    seat: str | None
    position: int | None
    created_at: datetime
    arrived_at: datetime | None
    left_at: datetime | None
    hours: Decimal
    # Issue 30: a minor on the workshop's day without a guardian's consent to image rights: not to be photographed.
    no_photo: bool


class MyRegistrationOut(Out):
    """A sign-up as its participant sees it in the app: the workshop, their seat or place, and
    whether the workshop was cancelled (the in-app notice)."""

    id: int
    status: str
    seat: str | None
    position: int | None
    seated_at: datetime | None
    cancelled_at: datetime | None
    # What the system did that I am told of: seated (from the waiting list), workshop_cancelled.
    notice: str | None
    workshop: WorkshopOut


class AttendanceIn(msgspec.Struct, forbid_unknown_fields=True):
    """Scan a pass (`pass`) or tick a participant; times default to the workshop's."""

    pass_: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = msgspec.field(default=None, name="pass")
    participant: Id | None = None
    arrived_at: datetime | None = None
    left_at: datetime | None = None

    def __post_init__(self) -> None:
        check_body(self, instants=("arrived_at", "left_at"))


class AttendanceOut(Out):
    registration: int
    participant: int
    name: str
    arrived_at: datetime
    left_at: datetime
    hours: Decimal


class CourseIn(msgspec.Struct, forbid_unknown_fields=True):
    site: SiteSlug
    title: Title
    description: Description = ""
    target_hours: Hours = 35.0


class CourseBriefOut(Out):
    id: int
    site: str
    title: str
    target_hours: Decimal
    workshops: int


class CourseWorkshopOut(Out):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str


class CourseProgressOut(Out):
    participant: int
    name: str
    hours: Decimal
    completed: bool


class CourseOut(Out):
    id: int
    site: str
    title: str
    description: str
    target_hours: Decimal
    workshops: list[CourseWorkshopOut]
    participants: list[CourseProgressOut]
    started: int
    completed: int
