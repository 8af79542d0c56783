"""Request and response bodies of the series API (unknown fields refused, as in fablab.domain.schemas)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from fablab.bookings.schemas import BookingOut, ClockTime, Scope, ShortText
from fablab.domain.moments import check_body
from fablab.domain.schemas import Out, PersonOut


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


# -------------------------------------------------------------------------------------------
# Responses


Unset = msgspec.UnsetType


class RuleOut(Out):
    """The series' weekly rule as stored (and as RFC 5545 writes it, rrule). Every field may be
    missing: the column takes any JSON object, and only what is stored is shown."""
    first_day: str | Unset = msgspec.UNSET
    start_time: str | Unset = msgspec.UNSET
    end_time: str | Unset = msgspec.UNSET
    weekdays: list[str] | Unset = msgspec.UNSET
    interval: int | Unset = msgspec.UNSET
    until: str | None | Unset = msgspec.UNSET
    count: int | None | Unset = msgspec.UNSET
    rrule: str | Unset = msgspec.UNSET


class SeriesOut(Out):
    id: int
    site: str
    kind: str
    resource: str | None  # one unit by tag, or None: `quantity` units of the kind
    quantity: int
    purpose: str
    rule: RuleOut
    created_at: datetime
    cancelled_at: datetime | None
    user: PersonOut | None
    bookings: list[BookingOut]


class OccurrenceOut(Out):
    """One date of a series and what became of it (created, conflict, or why it was skipped)."""
    date: str
    starts_at: datetime
    ends_at: datetime
    outcome: str
    detail: str
    bookings: list[int]


class SeriesCreatedOut(Out):
    series: SeriesOut | None  # None for a dry run
    dry_run: bool
    occurrences: list[OccurrenceOut]
    created: int
    conflicts: list[str]  # the dates taken
    skipped: list[str]
