"""What every domain's response bodies share: their base class, a person and a booking in brief."""

from __future__ import annotations

from datetime import datetime

import msgspec


class Out(msgspec.Struct, forbid_unknown_fields=True):
    """Base of the response bodies. Unknown fields are refused when one is built from a dict
    (msgspec.convert), so a key a service adds without a field here fails the tests instead of
    silently vanishing from the answer."""


class PersonOut(Out):
    """Who a booking, a loan or a movement is for: enough to name them at the desk."""
    id: int
    login: str
    name: str


class BookingBrief(Out):
    """A booking named by its unit and times, where a list needs no more of it (see BookingOut)."""
    id: int
    resource: str  # the unit's tag
    resource_name: str
    kind: str
    site: str
    starts_at: datetime
    ends_at: datetime
