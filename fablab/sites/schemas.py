"""Request and response bodies of the sites API (unknown fields refused, as in bookings.schemas)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from fablab.domain.moments import check_body
from fablab.domain.vocabulary import PolicyUnit
from fablab.domain.schemas import BookingBrief, Out, PersonOut

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class SitePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: ShortText | msgspec.UnsetType = msgspec.UNSET
    address: Annotated[str, msgspec.Meta(max_length=500)] | msgspec.UnsetType = msgspec.UNSET
    contact: Annotated[str, msgspec.Meta(max_length=500)] | msgspec.UnsetType = msgspec.UNSET
    timezone: ShortText | msgspec.UnsetType = msgspec.UNSET
    # {"mon": [["09:00", "18:00"]], ...}; validated by sites.calendar.parse_opening_hours.
    opening_hours: dict | msgspec.UnsetType = msgspec.UNSET


class ClosureIn(msgspec.Struct, forbid_unknown_fields=True):
    starts_on: date
    ends_on: date
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""
    all_sites: bool = False
    # Cancel the confirmed bookings of those days (their learners are told).
    cancel_bookings: bool = False

    def __post_init__(self) -> None:
        check_body(self, days=("starts_on", "ends_on"))


class PolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    unit: PolicyUnit
    slot_minutes: Annotated[int, msgspec.Meta(ge=1, le=1440)]
    min_length: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    max_length: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    max_days_ahead: Annotated[int, msgspec.Meta(ge=0, le=3650)] = 14
    buffer_minutes: Minutes = 0
    may_end_after_closing: bool = False
    checkout_grace_minutes: Minutes = 30
    max_active_bookings: Minutes | None = None
    max_hours_per_week: Minutes | None = None
    training_id: int | None = None
    min_age: Annotated[int, msgspec.Meta(ge=1, le=99)] | None = None  # issue 30: too_young below it


# -------------------------------------------------------------------------------------------
# Responses

# {"mon": [["09:00", "12:30"], ["13:30", "18:00"]], ...}: each open day's ranges, site time.
OpeningHours = dict[str, list[list[str]]]


class SiteOut(Out):
    slug: str
    name: str
    address: str
    contact: str
    timezone: str
    opening_hours: OpeningHours


class ClosureOut(Out):
    id: int | None  # None for a public holiday (not stored)
    site: str | None  # None: every site
    starts_on: date
    ends_on: date
    reason: str
    source: Literal["closure", "public_holiday"]


class ClosureHitOut(BookingBrief):
    """A confirmed booking a closure would hit, with the learner to tell."""
    user: PersonOut | None
    # A loan by the day that loses its first or last days: the open days left [starts, ends]; None:
    # the booking is cancelled whole.
    shortened_to: list[datetime] | None = None


class ClosureImpactOut(Out):
    first: date = msgspec.field(name="from")
    last: date = msgspec.field(name="to")
    count: int
    bookings: list[ClosureHitOut]
    # Every kind of plan the days hit, and how many (fablab/hooks/closure_effects.py): "bookings", "workshops".
    plans: dict[str, int]


class ClosureAddedOut(Out):
    id: int
    site: str | None
    starts_on: date
    ends_on: date
    reason: str
    affected_bookings: int  # still confirmed: the staff must call them
    cancelled_bookings: list[int]
    # The same for every kind of plan (fablab/hooks/closure_effects.py), by its name.
    affected: dict[str, int]
    cancelled: dict[str, list[int]]
    # Loans by the day shortened to the open days left around the closure (issue 28), instead of cancelled.
    shortened_bookings: list[int] = msgspec.field(default_factory=list)
    shortened: dict[str, list[int]] = msgspec.field(default_factory=dict)


class PolicyFields(Out):
    unit: str
    slot_minutes: int
    min_length: int
    max_length: int
    max_days_ahead: int
    buffer_minutes: int
    may_end_after_closing: bool
    checkout_grace_minutes: int
    max_active_bookings: int | None
    max_hours_per_week: int | None
    training_id: int | None
    min_age: int | None


class PolicyOut(PolicyFields):
    """A stored policy: a site's for a kind, or one unit's override (resource set)."""
    site: str
    kind: str
    resource: str | None
    training: str | None  # the required training's name
    updated_at: datetime


class SitePolicyOut(PolicyFields):
    site: str
    kind: str


class ResourcePolicyOut(PolicyFields):
    resource: str
