"""Request and response bodies of the desk's check-outs, check-ins, hand-overs and loan agreements (unknown fields refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from fablab.bookings.schemas import AffectedBookingsOut, BookingOut
from fablab.consumables.schemas import CheckinConsumptionOut, CheckinUses, Outcome
from fablab.domain.moments import check_body
from fablab.parts.schemas import PartOut
from fablab.domain.schemas import Out, PersonOut
from fablab.domain.vocabulary import Condition

TagText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=2000)]
# Ids of an item's parts (fablab/parts), ticked at the desk.
PartIds = Annotated[list[int], msgspec.Meta(max_length=100)]
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
    parts: PartIds | None = None


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


class CheckoutIn(msgspec.Struct, forbid_unknown_fields=True):
    tag: TagText
    # The learner: an id (number) or a login (text); or their pass token; or only the booking.
    user: int | Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    pass_token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = msgspec.field(
        default=None, name="pass")
    booking: int | None = None
    due_at: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    note: Text = ""
    # Check everything and say who would get the item until when, then change nothing (200).
    dry_run: bool = False
    # The item's parts handed over with it; omitted: every part at the desk goes.
    parts: PartIds | None = None

    def __post_init__(self) -> None:
        check_body(self, instants=("due_at",))


class CheckinIn(msgspec.Struct, forbid_unknown_fields=True):
    tag: TagText
    condition: Condition = "ok"
    note: Text = ""
    # Issue 19: what the loan used (any kind) and, for a 3D printer, how the print went; dry_run
    # checks it all and answers with the budget warnings, changing nothing (the desk then confirms).
    consumables: CheckinUses = msgspec.field(default_factory=list)
    outcome: Outcome | None = None
    dry_run: bool = False
    # Parts that went out with the loan and did not come back: the return is incomplete.
    missing_parts: PartIds = msgspec.field(default_factory=list)


class CheckoutOut(Out):
    booking: BookingOut | None  # None for a dry run of a walk-up (nothing booked yet)
    resource: str
    holder: PersonOut | None
    due_at: datetime
    walk_up: bool  # no booking matched: one was made at the desk
    moved_from: str | None  # the booking was for another unit of the kind
    dry_run: bool
    parts: list[PartOut]  # the item's parts as they are after the hand-over


class CheckinOut(Out):
    booking: BookingOut
    resource: str
    condition: str
    resource_status: str
    late: bool
    consumption: CheckinConsumptionOut
    missing_parts: list[PartOut]  # they stay with the learner until POST /api/parts/{id}/return
    # Damaged (to maintenance), or its maintenance now overdue and refusing bookings: what became
    # of its bookings to come; None when the item stays in service.
    item_bookings: AffectedBookingsOut | None = None


class CheckinDryRunOut(Out):
    """A check-in tried and rolled back (`dry_run`): what it would use, and the budget warnings."""

    resource: str
    dry_run: bool
    consumption: CheckinConsumptionOut
    missing_parts: list[PartOut]
