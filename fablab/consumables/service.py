"""Writes of the consumables domain: consumables, their stock ledger, uses recorded at a check-in, the
outcome of a print, and the low-stock alert each stock change opens or resolves."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.platform import db
from fablab.consumables import queries
from fablab.consumables.months import month_of, month_span
from fablab.consumables.schemas import BudgetWarning, CheckinConsumptionOut, CheckinUseOut, ConsumableUseIn
from fablab.platform.db import DB
from fablab.domain.errors import Conflict, InvalidInput
from fablab.sites.queries import require_site
from fablab.tables import Consumable, PrintLog

STOCK_CONSTRAINT = "consumable_stock_not_negative"
# The sign each kind gives its quantity; adjust sets the stock to the quantity counted.
SIGN = {"restock": 1, "use": -1, "loss": -1}
PRINTER = "printer_3d"


class InsufficientStock(Conflict):
    code, title = codes.INSUFFICIENT_STOCK, "Not enough in stock"


async def create_consumable(*, actor, site: str, name: str, unit: str, quantity: int, low_threshold: int,
                            monthly_budget_per_learner: int | None) -> dict:
    """A new consumable; its first stock goes in as a restock, so the ledger explains every gram."""
    site_row = await require_site(site)
    scope.require_site(actor, site_row["id"], "This site")
    async with DB.transaction():
        try:
            [row] = await Consumable.insert(Consumable(
                site=site_row["id"], name=name.strip() or name, unit=unit, quantity=0, low_threshold=low_threshold,
                monthly_budget_per_learner=monthly_budget_per_learner,
            )).returning(Consumable.id)
        except asyncpg.UniqueViolationError:
            raise Conflict(f"{name!r} already exists at this site.", code=codes.CONSUMABLE_EXISTS) from None
        consumable = await queries.require_consumable(row["id"])
        if quantity:
            await _move(consumable, "restock", quantity, staff_id=actor.id, note="Stock initial")
        await db.fetch(queries.SYNC_ALERT, row["id"])
    return await queries.require_consumable(row["id"])


async def update_consumable(*, actor, consumable_id: int, changes: dict) -> dict:
    """name, low_threshold, monthly_budget_per_learner; a new threshold may open or resolve the alert."""
    consumable = await queries.require_consumable(consumable_id)
    scope.require_site(actor, consumable["site_id"], "This consumable")
    if "name" in changes:
        changes["name"] = changes["name"].strip() or changes["name"]
    async with DB.transaction():
        try:
            await Consumable.update({**changes, Consumable.updated_at: db.NOW}).where(Consumable.id == consumable_id)
        except asyncpg.UniqueViolationError:
            raise Conflict(f"{changes['name']!r} already exists at this site.", code=codes.CONSUMABLE_EXISTS) from None
        await db.fetch(queries.SYNC_ALERT, consumable_id)
    return await queries.require_consumable(consumable_id)


async def _move(consumable: dict, kind: str, quantity: int, *, staff_id: int, booking_id: int | None = None,
                user_id: int | None = None, note: str = "") -> dict:
    """One ledger row and its stock change, in the caller's transaction: the movement's id and quantity_after.
    PostgreSQL's CHECK refuses a stock below zero, whatever ran at the same time."""
    change = quantity * SIGN[kind] if kind in SIGN else quantity
    try:
        moved = await db.fetchone(queries.MOVE_STOCK, consumable["id"], kind, change, booking_id, user_id,
                                        staff_id, note)
    except asyncpg.CheckViolationError as error:
        if getattr(error, "constraint_name", None) != STOCK_CONSTRAINT:
            raise
        raise InsufficientStock(
            f"Not enough {consumable['name']} in stock for {quantity} {consumable['unit']}.",
            consumable=consumable["id"], name=consumable["name"], unit=consumable["unit"],
            available=consumable["quantity"], requested=quantity) from None
    await db.fetch(queries.SYNC_ALERT, consumable["id"])
    return moved


async def move_stock(*, actor, consumable_id: int, kind: str, quantity: int, booking_id: int | None = None,
                     note: str = "") -> dict:
    """restock / use / loss move `quantity`; adjust sets the stock to the `quantity` counted. A use
    may name its booking: it is then charged to the booking's learner (budget, report)."""
    consumable = await queries.require_consumable(consumable_id)
    scope.require_site(actor, consumable["site_id"], "This consumable")
    if kind != "adjust" and quantity < 1:
        raise InvalidInput("quantity must be at least 1.", code=codes.INVALID_QUANTITY, field="quantity")
    user_id = None
    if booking_id is not None:
        booking = await queries.booking_for_use(booking_id)
        if booking["site_id"] != consumable["site_id"]:
            raise InvalidInput("The booking is at another site than this consumable.", code=codes.BOOKING_OTHER_SITE)
        user_id = booking["user_id"]
    async with DB.transaction():
        moved = await _move(consumable, kind, quantity, staff_id=actor.id, booking_id=booking_id,
                            user_id=user_id, note=note)
    return {"consumable": await queries.require_consumable(consumable_id),
            "movement": await queries.movement(moved["id"])}


async def _checked_uses(items: list[ConsumableUseIn], site_id: int) -> list[tuple[dict, int]]:
    """Each use with its consumable, which must be of the item's site; in id order, so two desks
    lock the same rows in the same order (no deadlock)."""
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Give each consumable once.", code=codes.DUPLICATE_CONSUMABLE)
    uses = []
    for item in sorted(items, key=lambda item: item.id):
        consumable = await queries.require_consumable(item.id)
        if consumable["site_id"] != site_id:
            raise InvalidInput(f"{consumable['name']} belongs to another site.", code=codes.CONSUMABLE_OTHER_SITE,
                               consumable=item.id)
        uses.append((consumable, item.quantity))
    return uses


async def budget_warning(consumable: dict, user_id: int | None, quantity: int, now: datetime) -> BudgetWarning | None:
    """Over the learner's monthly budget with this use? (The desk warns; staff decide.)"""
    budget = consumable["monthly_budget_per_learner"]
    if budget is None or user_id is None:
        return None
    tz = ZoneInfo(consumable["timezone"])
    start, end = month_span(month_of(now, tz), tz)
    used = await queries.used_by_learner(user_id, consumable["id"], start, end)
    if used + quantity <= budget:
        return None
    return BudgetWarning(code=codes.OVER_BUDGET, consumable=consumable["id"], name=consumable["name"],
                         unit=consumable["unit"], budget=budget, used_before=used, used_after=used + quantity)


async def record_checkin_use(*, actor, booking_id: int, user_id: int | None, resource: dict,
                             items: list[ConsumableUseIn], outcome: str | None,
                             now: datetime | None = None) -> CheckinConsumptionOut:
    """At a check-in, in its transaction: the consumables used during the loan (charged to its
    learner) and, for a 3D printer, how the print went. Budget overruns come back as warnings."""
    now = now or clock.now()
    if outcome is not None and resource["kind"] != PRINTER:
        raise InvalidInput("A print outcome is only for 3D printers.", code=codes.OUTCOME_NOT_FOR_PRINTER)
    warnings, done = [], []
    for consumable, quantity in await _checked_uses(items, resource["site_id"]):
        warning = await budget_warning(consumable, user_id, quantity, now)
        if warning is not None:
            warnings.append(warning)
        moved = await _move(consumable, "use", quantity, staff_id=actor.id, booking_id=booking_id, user_id=user_id)
        done.append(CheckinUseOut(id=consumable["id"], name=consumable["name"], unit=consumable["unit"],
                                  quantity=quantity, stock_after=moved["quantity_after"]))
    if outcome is not None:
        await PrintLog.insert(PrintLog(booking=booking_id, outcome=outcome, staff=actor.id, recorded_at=now))
    return CheckinConsumptionOut(uses=done, outcome=outcome, warnings=warnings)


# Demo data (fablab seed --demo): name, unit, stock, low threshold, monthly budget per learner.
DEMO_CONSUMABLES = (("PLA noir", "g", 1000, 200, 300), ("PLA blanc", "g", 750, 200, 300),
                    ("Résine grise", "ml", 500, 100, None))


async def seed_demo_consumables(staff_by_site: dict[int, int]) -> int:
    """A few spools per site (site id → a staff id), each stock a first restock in the ledger."""
    if await Consumable.count():
        return 0
    count = 0
    async with DB.transaction():
        for site_id, staff_id in staff_by_site.items():
            for name, unit, quantity, threshold, budget in DEMO_CONSUMABLES:
                [row] = await Consumable.insert(Consumable(
                    site=site_id, name=name, unit=unit, quantity=0, low_threshold=threshold,
                    monthly_budget_per_learner=budget)).returning(Consumable.id)
                await _move(await queries.require_consumable(row["id"]), "restock", quantity, staff_id=staff_id,
                            note="Stock initial")
                count += 1
    return count
