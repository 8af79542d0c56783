"""Request and response bodies of the accounts API."""

from __future__ import annotations

import msgspec


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    login: str = msgspec.field()
    password: str = msgspec.field()


class UserOut(msgspec.Struct):
    id: int
    login: str
    name: str
    role: str
    site: str | None
    cohort: str = ""
    active: bool = True
