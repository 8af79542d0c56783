"""Request and response bodies of the waitlist API (unknown fields refused, as in fablab.domain.schemas)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec

from fablab.bookings.schemas import BookingOut
from fablab.domain.moments import check_body
from fablab.domain.schemas import Out, PersonOut

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


class WaitlistEntryOut(Out):
    id: int
    user: PersonOut
    site: str
    kind: str
    resource: str | None  # one unit by tag, or None: any unit of the kind
    resource_name: str | None
    day: date = msgspec.field(name="date")
    starts_at: datetime
    ends_at: datetime
    status: str
    position: int | None  # in the queue of its day, while waiting
    skip_reason: str | None  # the rule that kept a freed place from them
    booking: BookingOut | None  # the booking the list gave them
    created_at: datetime
    resolved_at: datetime | None
    seen: bool
    # Joining: a rule that refuses the learner now (a quota they hold, a training they lack), as a
    # problem's code, detail and extra members.
    warning: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
