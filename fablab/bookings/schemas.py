"""Request bodies of the bookings API (unknown fields refused: no mass assignment)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from fablab.moments import check_body

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=100_000)]


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


class SeriesIn(msgspec.Struct, forbid_unknown_fields=True):
    """A weekly series (staff): one unit by tag, or `quantity` units of a kind at a site."""
    first_day: date
    start_time: ClockTime
    end_time: ClockTime
    resource: ShortText | None = None
    site: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    kind: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    quantity: Annotated[int, msgspec.Meta(ge=1, le=50)] = 1
    weekdays: Annotated[list[Annotated[str, msgspec.Meta(max_length=3)]], msgspec.Meta(max_length=7)] | None = None
    interval: Annotated[int, msgspec.Meta(ge=1, le=52)] = 1
    until: date | None = None
    count: Annotated[int, msgspec.Meta(ge=1, le=1000)] | None = None
    purpose: Annotated[str, msgspec.Meta(max_length=500)] = ""
    # Staff book for themselves by default, or for someone by id or login.
    user: int | ShortText | None = None
    # With taken dates: "none" creates nothing (409 with the report), "all_but_conflicts" the rest.
    on_conflict: Literal["none", "all_but_conflicts"] = "none"
    # Plan and report only: nothing is created.
    dry_run: bool = False

    def __post_init__(self) -> None:
        check_body(self, days=("first_day", "until"))


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    scope: Scope = "this"


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


class WaitlistIn(msgspec.Struct, forbid_unknown_fields=True):
    """Wait for a unit (resource) or any unit of a kind at a site, for a whole day or a slot."""
    site: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    kind: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    resource: ShortText | None = None
    day: date | None = msgspec.field(default=None, name="date")
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    user: int | ShortText | None = None

    def __post_init__(self) -> None:
        check_body(self, instants=("starts_at", "ends_at"), days=("day",))
