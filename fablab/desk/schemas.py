"""Request and response bodies of the desk's hand-overs and loan agreements (unknown fields refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from fablab.bookings.schemas import BookingOut
from fablab.moments import check_body
from fablab.schemas import Out, PersonOut

TagText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
# A day's hand-over at a school desk: a group's laptops, chargers and mice, not a warehouse.
MAX_ITEMS = 50
Point = Annotated[list[float], msgspec.Meta(min_length=2, max_length=3)]
Stroke = Annotated[list[Point], msgspec.Meta(max_length=5000)]


class AgreementIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20000)]
    # True: signed at every loan; False: once per version.
    every_loan: bool = False


class AgreementOut(Out):
    site: str
    version: int
    text: str
    every_loan: bool
    created_at: datetime


class HandoverItemIn(msgspec.Struct, forbid_unknown_fields=True):
    tag: TagText
    # The ids of the item's parts handed over with it; omitted: every part at the desk goes.
    parts: Annotated[list[int], msgspec.Meta(max_length=100)] | None = None


class SignatureIn(msgspec.Struct, forbid_unknown_fields=True):
    """The drawn signature: the canvas as a PNG data URL, or its strokes ([x, y] points in a 600 × 240 box)."""

    png: Annotated[str, msgspec.Meta(max_length=800_000)] | None = None
    strokes: Annotated[list[Stroke], msgspec.Meta(max_length=200)] | None = None


class HandoverIn(msgspec.Struct, forbid_unknown_fields=True):
    items: Annotated[list[HandoverItemIn], msgspec.Meta(min_length=1, max_length=MAX_ITEMS)]
    # The learner: an id (number) or a login (text); or their pass token.
    learner: int | Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    pass_token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = msgspec.field(
        default=None, name="pass")
    due_at: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    signature: SignatureIn | None = None
    # The version of the agreement the learner was shown and signed (409 agreement_changed if newer).
    agreement_version: int | None = None
    # Check everything and say what would be lent and whether the agreement must be signed; lend nothing.
    dry_run: bool = False

    def __post_init__(self) -> None:
        check_body(self, instants=("due_at",))


class HandedPartOut(Out):
    id: int
    name: str
    tag: str | None


class HandoverItemOut(Out):
    tag: str
    name: str
    booking: BookingOut | None  # None in a dry run
    due_at: datetime
    walk_up: bool
    moved_from: str | None
    parts: list[HandedPartOut]  # the parts handed over with it


class HandoverOut(Out):
    id: int | None  # None in a dry run
    holder: PersonOut
    items: list[HandoverItemOut]
    due_at: datetime  # the latest return time of its items
    signed: bool
    agreement_version: int | None
    dry_run: bool
    # A dry run: the agreement to sign before this loan (None: nothing to sign).
    agreement: AgreementOut | None = None
    receipt: str | None = None  # the receipt's address


class ReturnedItemOut(Out):
    tag: str
    name: str
    booking: int
    due_at: datetime
    status: str
    returned_at: datetime | None
    condition: str | None
    parts: list[HandedPartOut]
    missing_parts: list[HandedPartOut]


class HandoverDetailOut(Out):
    id: int
    site: str
    holder: PersonOut | None
    staff: PersonOut | None
    at: datetime
    due_at: datetime
    agreement_version: int | None
    agreement_text: str
    signed: bool
    signed_hash: str
    items: list[ReturnedItemOut]
    receipt: str
    return_receipt: str


class HandoverBriefOut(Out):
    id: int
    site: str
    at: datetime
    due_at: datetime
    agreement_version: int | None
    signed: bool
    bookings: list[int]
    receipt: str
    return_receipt: str
