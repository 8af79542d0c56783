"""Request and response bodies of the maintenance API (inputs refuse unknown fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from fablab.bookings.schemas import AffectedBookingsOut

Task = Annotated[str, msgspec.Meta(max_length=200)]
Note = Annotated[str, msgspec.Meta(max_length=2000)]
# Bounds checked again by rules.validate_plan, with a code of their own (invalid_plan).
Every = Annotated[int, msgspec.Meta(ge=-1_000_000, le=1_000_000)]
State = Literal["ok", "soon", "due"]


class PlanIn(msgspec.Struct, forbid_unknown_fields=True):
    task: Task
    every_hours: Every | None = None
    every_loans: Every | None = None
    every_days: Every | None = None
    refuse_when_overdue: bool = False


class MaintenanceIn(msgspec.Struct, forbid_unknown_fields=True):
    # Empty: the task of the plan that applies.
    task: Task = ""
    note: Note = ""


class PlanOut(msgspec.Struct):
    task: str
    every_hours: int | None
    every_loans: int | None
    every_days: int | None
    refuse_when_overdue: bool


class KindPlanOut(PlanOut):
    site: str
    kind: str
    updated_at: datetime
    # Set by a PUT whose plan refuses bookings while overdue: what became of the bookings of the
    # units already overdue (fablab/inventory/out_of_service.py).
    item_bookings: AffectedBookingsOut | msgspec.UnsetType = msgspec.UNSET


class ItemPlanOut(PlanOut):
    site: str
    kind: str
    tag: str
    name: str
    updated_at: datetime


class PlansOut(msgspec.Struct):
    kinds: list[KindPlanOut]
    items: list[ItemPlanOut]


class Counters(msgspec.Struct):
    """Use since the last maintenance (or since the plan was set): hours out, loans, days."""

    hours: float
    loans: int
    days: float
    since: datetime


class RecordOut(msgspec.Struct):
    id: int
    task: str
    note: str
    at: datetime
    staff: str | None


class DueItem(msgspec.Struct):
    tag: str
    name: str
    kind: str
    site: str
    task: str
    state: State
    progress: float  # the furthest measure as a share of its threshold (1.0: due)
    counters: Counters
    plan: PlanOut
    own_plan: bool  # the item's own plan, not its kind's
    last_done_at: datetime | None


class DueOut(msgspec.Struct):
    items: list[DueItem]  # due first, then soon due; most advanced first


class ItemMaintenanceOut(msgspec.Struct):
    tag: str
    plan: PlanOut | None  # the plan that applies (the item's own, else its kind's)
    own_plan: PlanOut | None
    kind_plan: PlanOut | None
    state: State | None
    progress: float | None
    refuses_bookings: bool  # its plan refuses bookings and it is due now
    counters: Counters | None
    records: list[RecordOut]
    # Set by a PUT of a plan that refuses bookings while overdue, the item being overdue already:
    # what became of its bookings to come.
    item_bookings: AffectedBookingsOut | msgspec.UnsetType = msgspec.UNSET


class PrinterMonth(msgspec.Struct):
    month: str  # YYYY-MM
    hours: float
    loans: int


class PrinterHours(msgspec.Struct):
    tag: str
    name: str
    total_hours: float
    total_loans: int
    months: list[PrinterMonth]


class MachineHoursOut(msgspec.Struct):
    site: str
    site_name: str
    from_month: str
    to_month: str
    printers: list[PrinterHours]
