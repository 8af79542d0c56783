"""Request bodies of the inventory API (unknown fields refused: no mass assignment)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from fablab.moments import check_body

Kind = Literal["laptop", "printer_3d", "room"]
Status = Literal["available", "maintenance", "lost", "retired"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=2000)]
TagText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
# Ids of an item's parts (fablab/parts), ticked at the desk.
PartIds = Annotated[list[int], msgspec.Meta(max_length=100)]


class ResourceIn(msgspec.Struct, forbid_unknown_fields=True):
    site: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    kind: Kind
    name: Name
    tag: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    details: dict = msgspec.field(default_factory=dict)
    notes: Text = ""
    status: Status = "available"


class ResourcePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    details: dict | msgspec.UnsetType = msgspec.UNSET
    notes: Text | msgspec.UnsetType = msgspec.UNSET
    status: Status | msgspec.UnsetType = msgspec.UNSET
    # Why the status changed; kept on the movement.
    note: Text = ""


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
    condition: Literal["ok", "damaged", "incomplete"] = "ok"
    note: Text = ""
    # Parts that went out with the loan and did not come back: the return is incomplete.
    missing_parts: PartIds = msgspec.field(default_factory=list)


class AuditIn(msgspec.Struct, forbid_unknown_fields=True):
    site: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class AuditScanIn(msgspec.Struct, forbid_unknown_fields=True):
    tag: TagText
