"""Writes of the maintenance domain (plans, maintenance done) and the views built on its reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.platform.db import DB, NOW
from fablab.domain.errors import Conflict, InvalidInput
from fablab.inventory import queries as inventory_queries
from fablab.inventory.out_of_service import OVERDUE_MAINTENANCE, merged, take_out_of_service
from fablab.movements import log
from fablab.movements.tags import normalise_tag
from fablab.maintenance import queries
from fablab.maintenance.rules import Plan, progress, refuses, state, validate_plan
from fablab.bookings.schemas import AffectedBookingsOut
from fablab.maintenance.schemas import (
    Counters, DueItem, DueOut, ItemMaintenanceOut, ItemPlanOut, KindPlanOut, MachineHoursOut, PlanOut, PlansOut,
    PrinterHours, PrinterMonth, RecordOut,
)
from fablab.sites.queries import require_kind, require_site
from fablab.tables import MaintenancePlan, MaintenanceRecord

# The machine-hours report covers at most two years of months.
MAX_REPORT_MONTHS = 24


def _now() -> datetime:
    return clock.now()


def _plan_out(row: dict | None) -> PlanOut | None:
    if row is None:
        return None
    return PlanOut(**{name: row[name] for name in queries.PLAN_FIELDS})


def _checked(plan: Plan) -> Plan:
    plan = replace(plan, task=plan.task.strip())
    validate_plan(plan)
    return plan


def _plan_args(plan: Plan) -> tuple:
    return plan.every_hours, plan.every_loans, plan.every_days, plan.task, plan.refuse_when_overdue


async def _own_item(actor: CurrentUser, tag: str, *, for_update: bool = False) -> dict:
    resource = await inventory_queries.require_resource(normalise_tag(tag), for_update=for_update)
    scope.require_site(actor, resource["site_id"], "This item")
    return resource


async def withdraw_overdue(resource_ids: list[int], now: datetime) -> AffectedBookingsOut:
    """These items' plans may refuse bookings now: those overdue take no booking any more, so
    their bookings to come move to another unit or are withdrawn (out_of_service). Within the
    caller's transaction."""
    outcomes = []
    for item in await queries.lock_items(resource_ids):
        if item["status"] == "available" and await queries.refuses_now(item["id"], now):
            outcomes.append(await take_out_of_service(item, reason=OVERDUE_MAINTENANCE, now=now))
    return merged(outcomes)


async def withdraw_all_overdue(now: datetime | None = None) -> int:
    """The periodic job: a plan counted in days falls due with no check-in to notice it; the
    bookings of the items it now refuses are moved or withdrawn. How many bookings changed."""
    now = now or _now()
    overdue = await queries.overdue_with_bookings(now)
    if not overdue:
        return 0
    async with DB.transaction():
        done = await withdraw_overdue(overdue, now)
    return len(done.moved) + len(done.withdrawn)


async def put_item_plan(*, actor: CurrentUser, tag: str, plan: Plan, now: datetime | None = None) -> ItemMaintenanceOut:
    """The item's own plan (it overrides its kind's), created or replaced. A plan that refuses
    bookings of an item already overdue moves or withdraws its bookings to come (item_bookings)."""
    plan = _checked(plan)
    now = now or _now()
    async with DB.transaction():
        resource = await _own_item(actor, tag)
        await db.fetch(queries.UPSERT_ITEM_PLAN, resource["site_id"], resource["kind"], resource["id"],
                       *_plan_args(plan))
        affected = await withdraw_overdue([resource["id"]], now) if plan.refuse_when_overdue else None
    out = await item_maintenance(actor=actor, tag=resource["tag"], now=now)
    if affected is not None:
        out.item_bookings = affected
    return out


async def delete_item_plan(*, actor: CurrentUser, tag: str) -> None:
    """The item follows its kind's plan again (if there is one)."""
    resource = await _own_item(actor, tag)
    await MaintenancePlan.delete().where(MaintenancePlan.resource == resource["id"])


async def _own_site(actor: CurrentUser, slug: str) -> dict:
    site = await require_site(slug)
    scope.require_site(actor, site["id"], "This site")
    return site


async def put_kind_plan(*, actor: CurrentUser, site: str, kind: str, plan: Plan,
                        now: datetime | None = None) -> KindPlanOut:
    """The plan of every unit of a kind at a site, created or replaced. One that refuses bookings
    moves or withdraws the bookings of the units already overdue (item_bookings)."""
    kind = require_kind(kind)
    plan = _checked(plan)
    now = now or _now()
    async with DB.transaction():
        site_row = await _own_site(actor, site)
        await db.fetch(queries.UPSERT_KIND_PLAN, site_row["id"], kind, None, *_plan_args(plan))
        overdue = await queries.overdue_units(site_row["id"], kind, now) if plan.refuse_when_overdue else set()
        affected = await withdraw_overdue(sorted(overdue), now) if plan.refuse_when_overdue else None
    row = next(row for row in await queries.kind_plans([site_row["id"]]) if row["kind"] == kind)
    out = KindPlanOut(**{key: row[key] for key in (*queries.PLAN_FIELDS, "site", "kind", "updated_at")})
    if affected is not None:
        out.item_bookings = affected
    return out


async def delete_kind_plan(*, actor: CurrentUser, site: str, kind: str) -> None:
    kind = require_kind(kind)
    site_row = await _own_site(actor, site)
    await MaintenancePlan.delete().where(
        (MaintenancePlan.site == site_row["id"]) & (MaintenancePlan.kind == kind) & MaintenancePlan.resource.is_null())


async def list_plans(*, actor: CurrentUser, site: str | None) -> PlansOut:
    site_ids = await scope.listed_sites(actor, site)
    fields = (*queries.PLAN_FIELDS, "site", "kind", "updated_at")
    return PlansOut(
        kinds=[KindPlanOut(**{key: row[key] for key in fields}) for row in await queries.kind_plans(site_ids)],
        items=[ItemPlanOut(**{key: row[key] for key in (*fields, "tag", "name")})
               for row in await queries.item_plans(site_ids)])


async def record_maintenance(*, actor: CurrentUser, tag: str, task: str = "", note: str = "",
                             now: datetime | None = None) -> ItemMaintenanceOut:
    """The maintenance done: kept in the item's maintenance log and its custody history, and its
    counters start again. Not while the item is out (it is done on the item, at the site)."""
    async with DB.transaction():
        resource = await _own_item(actor, tag, for_update=True)
        if await inventory_queries.open_checkout(resource["id"]):
            raise Conflict(f"{resource['tag']} is checked out: check it in first.", code=codes.CHECKED_OUT)
        task = task.strip()
        if not task:
            applying = await queries.usage_of_item(resource["id"], now or _now())
            if applying is None:
                raise InvalidInput("Say what was done (task): this item has no maintenance plan.",
                                   code=codes.TASK_REQUIRED)
            task = applying["task"]
        at = NOW if now is None else now
        await MaintenanceRecord.insert(MaintenanceRecord(
            resource=resource["id"], task=task, note=note, staff=actor.id, at=at))
        await log.record(resource_id=resource["id"], kind="maintenance_done", staff_id=actor.id,
                              site_id=resource["site_id"], note=f"{task} — {note}" if note else task, at=now)
    return await item_maintenance(actor=actor, tag=resource["tag"], now=now)


def _counters(row: dict, now: datetime) -> Counters:
    _, usage = queries.plan_and_usage(row, now)
    return Counters(hours=round(usage.hours, 2), loans=usage.loans, days=round(usage.days, 2), since=row["since"])


async def item_maintenance(*, actor: CurrentUser, tag: str, now: datetime | None = None) -> ItemMaintenanceOut:
    """The item's plans, where it stands, and its last maintenances (staff of its site)."""
    now = now or _now()
    resource = await _own_item(actor, tag)
    own, of_kind = await queries.plans_of_item(resource)
    row = await queries.usage_of_item(resource["id"], now)
    records = [RecordOut(id=r["id"], task=r["task"], note=r["note"], at=r["at"], staff=r["staff_name"])
               for r in await queries.records_of_item(resource["id"])]
    if row is None:
        return ItemMaintenanceOut(tag=resource["tag"], plan=None, own_plan=None, kind_plan=_plan_out(of_kind),
                                  state=None, progress=None, refuses_bookings=False, counters=None, records=records)
    plan, usage = queries.plan_and_usage(row, now)
    return ItemMaintenanceOut(
        tag=resource["tag"], plan=_plan_out(row), own_plan=_plan_out(own), kind_plan=_plan_out(of_kind),
        state=state(plan, usage), progress=round(progress(plan, usage), 3), refuses_bookings=refuses(plan, usage),
        counters=_counters(row, now), records=records)


def _due_item(row: dict, now: datetime) -> DueItem:
    plan, usage = queries.plan_and_usage(row, now)
    return DueItem(tag=row["tag"], name=row["name"], kind=row["kind"], site=row["site"], task=row["task"],
                   state=state(plan, usage), progress=round(progress(plan, usage), 3), counters=_counters(row, now),
                   plan=_plan_out(row), own_plan=row["own_plan"], last_done_at=row["last_done_at"])


async def due(*, actor: CurrentUser, site: str | None, now: datetime | None = None) -> DueOut:
    """What is due or soon due at the staff's sites (or the one named), most advanced first."""
    now = now or _now()
    site_ids = await scope.listed_sites(actor, site)
    if site_ids is None:
        site_ids = [row["id"] for row in await db.fetch("SELECT id FROM site")]
    items = [_due_item(row, now) for row in await queries.usage_at_sites(site_ids, now)]
    listed = [item for item in items if item.state != "ok"]
    return DueOut(items=sorted(listed, key=lambda item: (-item.progress, item.tag)))


def _month(day: date) -> date:
    return day.replace(day=1)


async def machine_hours(*, site: dict, first: date, last: date, now: datetime | None = None) -> MachineHoursOut:
    """Hours of use and loans of each printer of the site, per month from `first`'s to `last`'s."""
    first_month, last_month = _month(first), _month(last)
    if (last_month.year - first_month.year) * 12 + last_month.month - first_month.month >= MAX_REPORT_MONTHS:
        raise InvalidInput(f"The machine hours cover at most {MAX_REPORT_MONTHS} months.", code=codes.INVALID_PERIOD)
    rows = await queries.machine_hours(site_id=site["id"], timezone=site["timezone"], first_month=first_month,
                                       last_month=last_month, now=now or _now())
    printers: dict[str, PrinterHours] = {}
    for row in rows:
        printer = printers.setdefault(row["tag"], PrinterHours(tag=row["tag"], name=row["name"], total_hours=0,
                                                               total_loans=0, months=[]))
        printer.months.append(PrinterMonth(month=row["month"], hours=round(row["hours"], 2), loans=row["loans"]))
        printer.total_hours = round(printer.total_hours + row["hours"], 2)
        printer.total_loans += row["loans"]
    return MachineHoursOut(site=site["slug"], site_name=site["name"], from_month=first_month.strftime("%Y-%m"),
                           to_month=last_month.strftime("%Y-%m"), printers=list(printers.values()))
