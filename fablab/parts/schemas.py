"""Request and response bodies of the parts API (unknown fields refused, like every input)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

PartName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
PartTag = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Note = Annotated[str, msgspec.Meta(max_length=2000)]
# Where a part is: at the desk with its item, out with the item's loan, or missing from a return
# and still held by that loan's learner.
PartState = Literal["here", "lent", "missing"]


class PartIn(msgspec.Struct, forbid_unknown_fields=True):
    name: PartName
    tag: PartTag | None = None  # its own label, if it has one (never an item's tag)


class PartReturnIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Note = ""


class PersonOut(msgspec.Struct):
    id: int
    login: str
    name: str


class PartOut(msgspec.Struct):
    id: int
    name: str
    tag: str | None
    state: PartState
    # Staff of the item's site only: who has it (lent or missing), since when, with which loan.
    holder: PersonOut | None = None
    since: datetime | None = None
    booking: int | None = None


class MissingPartOut(msgspec.Struct):
    """A part that did not come back with its item: who still holds it, since when."""

    id: int
    name: str
    tag: str | None
    resource: str  # the item's tag
    resource_name: str
    site: str
    holder: PersonOut | None
    booking: int
    missing_since: datetime
