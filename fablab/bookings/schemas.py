"""Request bodies of the bookings API (unknown fields refused: no mass assignment)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from fablab.moments import check_body

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
