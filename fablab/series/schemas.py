"""Request bodies of the series API (unknown fields refused: no mass assignment)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

from fablab.bookings.schemas import ClockTime, Scope, ShortText
from fablab.moments import check_body


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
