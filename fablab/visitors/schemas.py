"""Request and response bodies of the visitors API (unknown fields refused: no mass assignment)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from fablab.accounts.schemas import PassOut
from fablab.domain.moments import check_body
from fablab.domain.schemas import Out
from fablab.domain.vocabulary import AgeBand


class VisitorIn(msgspec.Struct, forbid_unknown_fields=True):
    """What the desk types in under 30 seconds: a first name and an initial, what they came for."""

    first_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    initial: Annotated[str, msgspec.Meta(max_length=3)] = ""
    site: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    age_band: AgeBand | None = None
    purpose: Annotated[str, msgspec.Meta(max_length=200)] = ""
    valid_from: date | None = None
    valid_until: date | None = None

    def __post_init__(self) -> None:
        check_body(self, days=("valid_from", "valid_until"))


class VisitorOut(Out):
    id: int
    name: str
    site: str
    valid_from: date
    valid_until: date
    age_band: str | None
    purpose: str
    created_at: datetime


class VisitorPassOut(Out):
    """The visitor and their pass: what the printable page shows."""

    visitor: VisitorOut
    pass_: PassOut = msgspec.field(name="pass")


class VisitorDaysIn(msgspec.Struct, forbid_unknown_fields=True):
    days: Annotated[int, msgspec.Meta(ge=1, le=3650)]
