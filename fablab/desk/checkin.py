"""The desk's check-in of one item: its parts, what the loan used, a late return, where the item goes next."""

from __future__ import annotations

from datetime import datetime

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.hooks import unit_gates
from fablab.bookings import handover as booking_handover
from fablab.consumables import service as consumables_service
from fablab.consumables.schemas import ConsumableUseIn
from fablab.platform.db import DB
from fablab.desk.dry_run import RolledBack
from fablab.domain.errors import Conflict
from fablab.inventory import queries
from fablab.inventory.out_of_service import OVERDUE_MAINTENANCE, take_out_of_service
from fablab.inventory.service import change_status
from fablab.late import service as late_service
from fablab.movements.tags import normalise_tag
from fablab.parts.service import take_back_parts
from fablab.waitlist.service import offer_freed


async def check_in(*, actor, tag: str, condition: str = "ok", note: str = "", now: datetime | None = None,
                   consumables: list[ConsumableUseIn] = (), outcome: str | None = None, dry_run: bool = False,
                   missing_parts: list[int] | None = None) -> dict:
    """Take the item back. missing_parts: parts that went with the loan and did not come back; the
    return is then `incomplete` (unless `damaged`), and their learner holds them until they do.
    consumables, outcome: what the loan used (fablab/consumables); dry_run: all checked, then rolled back."""
    now = now or clock.now()
    tag = normalise_tag(tag)
    missing_parts = sorted(set(missing_parts or []))
    if missing_parts and condition == "ok":
        condition = "incomplete"
    async with DB.transaction():
        resource, open_id = await queries.lock_with_open_checkout(tag)
        scope.require_site(actor, resource["site_id"], "This item")
        if open_id is None:
            # Maybe stale (read before waiting for another desk's lock): ask again before saying no.
            fresh = await queries.open_checkout(resource["id"])
            open_id = fresh["id"] if fresh else None
        row = None if open_id is None else await booking_handover.take_back(booking_id=open_id, now=now, staff_id=actor.id,
                                                                    condition=condition, note=note)
        if row is None:
            raise Conflict(f"{tag} is not checked out.", code=codes.NOT_CHECKED_OUT)
        missing = await _parts_taken_back(actor=actor, resource=resource, row=row, missing=missing_parts, now=now)
        consumption = await consumables_service.record_checkin_use(
            actor=actor, booking_id=row["id"], user_id=row["user_id"], resource=resource, items=list(consumables),
            outcome=outcome, now=now)
        if dry_run:
            raise RolledBack({"resource": tag, "dry_run": True, "consumption": consumption, "missing_parts": missing})
        # A return later than the site's grace is a strike, maybe the one that suspends (fablab/late).
        await late_service.record_return(user_id=row["user_id"], booking_id=row["id"], site_id=row["site_id"],
                                         due_at=row["held_until"], returned_at=now)
        affected = await _after_return(actor=actor, resource=resource, row=row, condition=condition, note=note, now=now)
    return {"booking": queries.booking_out(row, now), "resource": tag, "condition": condition,
            "resource_status": resource["status"], "late": row["held_until"] < now,
            "consumption": consumption, "missing_parts": missing, "item_bookings": affected}


async def _after_return(*, actor, resource: dict, row: dict, condition: str, note: str, now: datetime):
    """Where the item goes once back: to maintenance when damaged, out of bookings when this loan
    made its maintenance overdue (a plan that refuses bookings then), else back in service, the
    rest of an early return offered to whoever waits. What became of its bookings to come (None:
    it stays in service)."""
    if condition == "damaged":
        # The condition and note are on the check-in just logged; the status change repeats the note.
        return await change_status(resource, "maintenance", actor_id=actor.id, note=note, now=now)
    if resource["gates_may_refuse"] and await unit_gates.refuses_now(resource["id"], now):
        return await take_out_of_service(resource, reason=OVERDUE_MAINTENANCE, now=now)
    if now < row["held_until"] and row["anyone_waiting"]:
        # Back early: the rest of the loan goes to the first person waiting for it.
        await offer_freed(booking_handover.freed_by_return(row, now), now)
    return None


async def check_in_dry_run(**checkin) -> dict:
    """Everything a check-in checks and writes, rolled back: the desk's confirmation (budget warnings)."""
    try:
        await check_in(**checkin, dry_run=True)
    except RolledBack as done:
        return done.result
    raise AssertionError("a dry run always rolls back")


async def _parts_taken_back(*, actor, resource: dict, row: dict, missing: list[int], now: datetime) -> list[dict]:
    """The parts that went with the loan come back, but the missing ones (fablab/parts)."""
    if not resource["has_parts"] and not missing:
        return []
    return await take_back_parts(resource=resource, booking=row, missing=missing, staff_id=actor.id, now=now)
