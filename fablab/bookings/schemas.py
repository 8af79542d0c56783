"""Request and response bodies of the bookings API (inputs refuse unknown fields: no mass assignment)."""

from __future__ import annotations

from datetime import date, datetime  # noqa: F401 - AvailabilityOut.date is annotated `date`
from typing import Annotated, Literal

import msgspec

from fablab.domain.moments import check_body
from fablab.domain.schemas import Out, PersonOut

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class BookingIn(msgspec.Struct, forbid_unknown_fields=True):
    starts_at: datetime
    ends_at: datetime
    # Either one unit by its tag, or a site and a kind (the server picks the unit).
    resource: ShortText | None = None
    site: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    kind: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    purpose: Annotated[str, msgspec.Meta(max_length=500)] = ""
    # Staff only: the learner, by id or login.
    user: int | ShortText | None = None
    # Staff only: book outside the policy (never outside the no-overlap rule).
    override_policy: bool = False

    def __post_init__(self) -> None:
        check_body(self, instants=("starts_at", "ends_at"))


Scope = Literal["this", "following", "series"]
ClockTime = Annotated[str, msgspec.Meta(min_length=4, max_length=5, pattern=r"^\d{1,2}:\d{2}$")]


class BookingEdit(msgspec.Struct, forbid_unknown_fields=True):
    """Staff: move one booking to new instants, or a series' occurrences to new times of day."""
    scope: Scope = "this"
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    start_time: ClockTime | None = None
    end_time: ClockTime | None = None
    purpose: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    # Move past the booking rules (never past the no-overlap rule, nor into the past or years away).
    override_policy: bool = False

    def __post_init__(self) -> None:
        check_body(self, instants=("starts_at", "ends_at"))


# -------------------------------------------------------------------------------------------
# Responses


class BookingOut(Out):
    """The one shape of a booking, wherever the API returns one (bookings, series, waitlist, desk)."""
    id: int
    resource: str  # the unit's tag
    resource_name: str
    site: str
    kind: str
    user: PersonOut | None  # None once anonymised
    starts_at: datetime
    ends_at: datetime
    status: str
    purpose: str
    sequence: int
    created_at: datetime
    updated_at: datetime
    checked_out_at: datetime | None
    returned_at: datetime | None
    cancelled_at: datetime | None
    no_show_at: datetime | None
    series_id: int | None
    # Set when the system cancelled it: the item was retired or lost, the site closed (the app says so).
    cancel_reason: str | None
    cancel_note: str
    overdue: bool  # checked out and past its return time
    # The unit's tag this booking was moved off when that unit left service (same slot, another
    # unit of the kind: fablab/inventory/out_of_service.py); None when it never moved.
    moved_from: str | None = None


class AffectedBookingsOut(Out):
    """What an item leaving service did to its bookings still to come (staff see it in the answer
    of the check-in, the status change or the maintenance plan that took it out)."""
    moved: list[BookingOut]      # same slot on another unit of the kind: `resource` the new one, `moved_from` the old
    withdrawn: list[BookingOut]  # cancelled, `cancel_reason` says why; the learner is told once


class CancelledOut(Out):
    """A cancellation reaching several occurrences of a series."""
    cancelled: list[BookingOut]


class ChangedOut(Out):
    """The bookings an edit moved."""
    changed: list[BookingOut]


class SpanOut(Out):
    starts_at: datetime
    ends_at: datetime


class UnitDayOut(Out):
    tag: str
    name: str
    status: str
    free: list[SpanOut]  # in the site's time zone


class SlotOut(Out):
    starts_at: datetime
    ends_at: datetime
    free: int  # units free for a booking of this slot (its buffer included)


class DayPolicyOut(Out):
    unit: str
    slot_minutes: int
    min_length: int
    max_length: int
    max_days_ahead: int
    may_end_after_closing: bool
    training_required: bool
    training: str | None = None  # the required training's name
    training_held: bool = False  # the person asking holds it (a valid certification) now


class AvailabilityOut(Out):
    site: str
    kind: str
    date: date
    timezone: str
    closed: bool
    opening: list[SpanOut]
    policy: DayPolicyOut
    resources: list[UnitDayOut]
    slots: list[SlotOut]
