"""Request and response bodies of the inventory API (unknown fields refused, as in fablab.domain.schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from fablab.bookings.schemas import AffectedBookingsOut, BookingOut
from fablab.parts.schemas import PartOut
from fablab.domain.vocabulary import Kind, ResourceStatus
from fablab.domain.schemas import Out, PersonOut

Status = ResourceStatus
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=2000)]
TagText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


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


class AuditIn(msgspec.Struct, forbid_unknown_fields=True):
    site: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class AuditScanIn(msgspec.Struct, forbid_unknown_fields=True):
    tag: TagText


# -------------------------------------------------------------------------------------------
# Responses. Fields that default to UNSET are left out of the answer for whoever may not see them.

Hidden = msgspec.UnsetType
HIDDEN = msgspec.UNSET


class LoanOut(Out):
    holder: PersonOut | None
    due_at: datetime
    overdue: bool


class ResourceOut(Out):
    id: int
    tag: str
    name: str
    kind: str
    site: str
    site_name: str
    status: str
    details: dict[str, Any]  # kind-specific (model, serial…); outside the item's site, only what it is
    notes: str  # staff of the item's site only ("" for others)
    created_at: datetime
    updated_at: datetime
    # Staff of the item's site: who holds it now (the list: `loan`; one item: `holder` and `booking`).
    loan: LoanOut | None | Hidden = HIDDEN
    holder: PersonOut | None | Hidden = HIDDEN
    booking: BookingOut | None | Hidden = HIDDEN
    # One item: what travels with it (fablab/parts); who holds a missing one, for its site's staff only.
    parts: list[PartOut] | Hidden = HIDDEN
    # A status change that took it out of service: what became of its bookings to come.
    item_bookings: AffectedBookingsOut | Hidden = HIDDEN


class ImportedOut(Out):
    """The tags of one CSV import, by what happened to them."""
    created: list[str]
    updated: list[str]
    unchanged: list[str]


class HolderPeriodOut(Out):
    holder: PersonOut | None
    booking: int | None
    start: datetime = msgspec.field(name="from")
    end: datetime | None = msgspec.field(name="to")  # None: still out


class HoldersOut(Out):
    tag: str
    start: datetime = msgspec.field(name="from")
    end: datetime = msgspec.field(name="to")
    holders: list[HolderPeriodOut]


class WalkUpOut(Out):
    """The return time the desk offers first for a walk-up loan; by_policy false: the site is
    closed now, so lending sends this due_at explicitly (the override)."""
    due_at: datetime
    by_policy: bool
    opens_at: datetime | None


class TagOut(Out):
    """The item behind a scanned tag and what the caller may do with it now (docs/ARCHITECTURE.md, The QR flow)."""
    tag: str
    name: str
    kind: str
    site: str
    site_name: str
    timezone: str
    status: str
    role: str | None  # the view given: None anonymous, "learner" for staff of another site
    actions: list[str]
    # A printer's materials (its details): the return asks for the consumables that fit it.
    materials: list[str] = msgspec.field(default_factory=list)
    # The tag scanned was a part's own label: that part's name (the page is its item's).
    scanned_part: str | None = None
    # Anonymous: a way in and the lost-and-found contact.
    login_hint: str | Hidden = HIDDEN
    next: str | Hidden = HIDDEN
    contact: str | Hidden = HIDDEN
    # A learner (or staff of another site): their own booking of it, and whether it is free now.
    my_booking: BookingOut | None | Hidden = HIDDEN
    free_now: bool | Hidden = HIDDEN
    # Staff of the item's site.
    holder: PersonOut | None | Hidden = HIDDEN
    current_booking: BookingOut | None | Hidden = HIDDEN
    next_booking: BookingOut | None | Hidden = HIDDEN
    walk_up: WalkUpOut | None | Hidden = HIDDEN  # when it may be lent now
    parts: list[PartOut] | Hidden = HIDDEN  # staff of its site: what the desk ticks at check-out and check-in


class MovementPartOut(Out):
    id: int
    name: str
    tag: str | None


class MovementOut(Out):
    id: int
    kind: str
    at: datetime
    resource: str
    resource_name: str
    site: str
    booking: int | None
    audit: int | None
    condition: str | None
    note: str
    holder: PersonOut | None
    staff: PersonOut | None
    part: MovementPartOut | None  # the part a part_* movement is about (fablab/parts)


class AuditCountsOut(Out):
    seen: int
    missing: int
    unexpected: int
    checked_out: int


class AuditOut(Out):
    id: int
    site: str
    site_name: str
    started_at: datetime
    closed_at: datetime | None
    counts: AuditCountsOut | None  # a closed count's figures
    started_by: PersonOut | None
    open: bool


class AuditItemOut(Out):
    tag: str
    name: str
    kind: str
    site: str
    status: str
    seen_at: str | Hidden = HIDDEN
    reason: str | Hidden = HIDDEN  # unexpected: other_site or retired


class AuditReportOut(Out):
    seen: list[AuditItemOut]
    missing: list[AuditItemOut]
    unexpected: list[AuditItemOut]
    checked_out: list[AuditItemOut]
    counts: AuditCountsOut


class AuditStateOut(AuditOut):
    report: AuditReportOut


class AuditScanOut(Out):
    tag: str
    name: str
    kind: str
    site: str
    status: str
    already_seen: bool
    expected: bool
    reason: str | None


class ScanOut(Out):
    text: str
    tag: str | None  # None: the code holds no tag of ours
