"""Request bodies of the sites API (unknown fields refused: no mass assignment)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from fablab.moments import check_body
from fablab.vocabulary import PolicyUnit

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class SitePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: ShortText | msgspec.UnsetType = msgspec.UNSET
    address: Annotated[str, msgspec.Meta(max_length=500)] | msgspec.UnsetType = msgspec.UNSET
    contact: Annotated[str, msgspec.Meta(max_length=500)] | msgspec.UnsetType = msgspec.UNSET
    timezone: ShortText | msgspec.UnsetType = msgspec.UNSET
    # {"mon": [["09:00", "18:00"]], ...}; validated by rules.parse_opening_hours.
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
