"""Request bodies of the waitlist API (unknown fields refused: no mass assignment)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from fablab.moments import check_body

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


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
