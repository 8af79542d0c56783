"""What every domain's response bodies share: their base class, and a person as the API names them."""

from __future__ import annotations

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
