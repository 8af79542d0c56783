"""Cancelling and moving bookings: by the learner or the desk, a unit leaving service, a closure, a
series changed. Each says what it freed, for the waitlist to offer in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.bookings import queries, rules
from fablab.hooks.closure_effects import ClosureEffect, Closing
from fablab.sites.calendar import Policy
from fablab.bookings.schemas import BookingOut
from fablab.bookings.units import hold_insert_locks, take_free_units
from fablab.platform.db import DB
from fablab.domain.errors import Conflict, NotFound

@dataclass(frozen=True)
class Freed:
    """A slot a booking gave back: the unit and the range it held from now on (the waitlist's
    offer_freed takes it). site_id and kind say whom it may serve."""

    resource_id: int
    site_id: int
    kind: str
    starts_at: datetime
    blocked_until: datetime


@dataclass(frozen=True)
class Cancelled:
    booking: BookingOut
    freed: Freed | None    # None when nothing of its slot is left to give


# The booking, locked after its unit (LOCK_UNIT_OF_BOOKING).
LOCK_FOR_CANCEL = """
SELECT id, user_id, resource_id, site_id, kind, starts_at, blocked_until, status FROM booking
WHERE id = $1 FOR NO KEY UPDATE
"""
# The unit first (shared), then the booking: the order the desk and booking paths follow, so a
# cancellation whose caller then books a waiting person cannot deadlock with them.
LOCK_UNIT_OF_BOOKING = "SELECT 1 FROM resource WHERE id = (SELECT resource_id FROM booking WHERE id = $1) FOR SHARE"

# Someone else's booking cancelled (only the desk may) says so in cancel_reason: the learner is told,
# as of a system cancellation, by the reminders' booking_withdrawn notice (e-mail and push). $3: the actor.
CANCEL = f"""
UPDATE booking SET status = 'cancelled', cancelled_at = $2, {queries.BUMP},
       cancel_reason = CASE WHEN user_id <> $3 THEN 'staff' END
WHERE id = ANY($1::bigint[])
"""


async def cancel_booking(*, actor: CurrentUser, booking_id: int, now: datetime | None = None) -> Cancelled:
    """Owner before the start, staff any time; anyone else sees no such booking. The caller offers
    what was freed to the waitlist in the same transaction (waitlist.offer_freed)."""
    now = now or clock.now()
    async with DB.transaction():
        await db.fetch(LOCK_UNIT_OF_BOOKING, booking_id)
        row = await db.fetchone(LOCK_FOR_CANCEL, booking_id)
        desk = row is not None and scope.acts_for_site(actor, row["site_id"])
        # Another site's booking answers as one that does not exist (issue 26).
        if row is None or (row["user_id"] != actor.id and not desk):
            raise NotFound(f"No booking {booking_id}.", code=codes.UNKNOWN_BOOKING)
        if row["status"] != "confirmed":
            raise Conflict(f"This booking is {row['status']}; it cannot be cancelled.", code=codes.NOT_CANCELLABLE,
                           booking_status=row["status"])
        if not desk and row["starts_at"] <= now:
            raise Conflict("This booking has started; ask the desk to cancel it.", code=codes.ALREADY_STARTED)
        await db.fetch(CANCEL, [booking_id], now, actor.id)
        freed = _freed(row, now) if row["blocked_until"] > now else None
        return Cancelled(booking=queries.booking_out(await queries.booking(booking_id)), freed=freed)


def _freed(row: dict, now: datetime, *, starts_at: datetime | None = None) -> Freed:
    return Freed(resource_id=row["resource_id"], site_id=row["site_id"], kind=row["kind"],
                 starts_at=max(starts_at or row["starts_at"], now), blocked_until=row["blocked_until"])


# An item leaving service (fablab/inventory/out_of_service.py decides; these write)

# Its confirmed bookings still to come (a started one the learner has not picked up included),
# locked in start order; the caller holds the unit's row.
FUTURE_OF_UNIT = """
SELECT id, resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, unit_chosen FROM booking
WHERE resource_id = $1 AND status = 'confirmed' AND ends_at > $2
ORDER BY starts_at, id
FOR NO KEY UPDATE
"""

# The booking moves to unit $2 (blocked until $3, that unit's buffer), remembering the unit it
# left, if that unit is still available and nobody is changing its row at this instant: a unit
# being lent or changed is passed over (SKIP LOCKED), since waiting for it could close a cycle
# with a desk that holds it and wants this learner's booking. Guarded by the exclusion constraint.
MOVE_TO_UNIT = f"""
WITH target AS (SELECT id FROM resource WHERE id = $2 AND status = 'available' FOR SHARE SKIP LOCKED)
UPDATE booking SET resource_id = target.id, blocked_until = $3, moved_from_id = booking.resource_id, {queries.BUMP}
FROM target WHERE booking.id = $1 AND booking.status = 'confirmed'
RETURNING booking.id
"""

WITHDRAW = f"""
UPDATE booking SET status = 'cancelled', cancelled_at = $2, cancel_reason = $3, {queries.BUMP}
WHERE id = ANY($1::bigint[]) AND status = 'confirmed'
RETURNING id
"""


async def future_bookings_of(resource_id: int, now: datetime) -> list[dict]:
    """The unit's confirmed bookings not over yet, locked, first to start first."""
    return await db.fetch(FUTURE_OF_UNIT, resource_id, now)


async def _move_to(booking: dict, unit: dict, unit_policy: Policy) -> int | None:
    """One attempt at one unit, in a savepoint: its id, or None (taken, or not available now)."""
    if unit["id"] == booking["resource_id"]:
        return None
    await hold_insert_locks([unit["id"]])  # a booking of that unit waits for the move (see INSERT_BOOKING)
    await db.fetch("SAVEPOINT booking_rehome")
    try:
        moved = await db.fetchval(MOVE_TO_UNIT, booking["id"], unit["id"], booking["ends_at"] + unit_policy.buffer)
    except asyncpg.ExclusionViolationError:
        moved = None
    await db.fetch("ROLLBACK TO SAVEPOINT booking_rehome" if moved is None else "RELEASE SAVEPOINT booking_rehome")
    return None if moved is None else unit["id"]


async def move_to_free_unit(booking: dict, *, now: datetime) -> int | None:
    """The same slot on another free unit of the booking's kind at its site, chosen as a booking by
    kind chooses (least used first, none whose maintenance refuses bookings; the next one on a
    lost race). The booking's SEQUENCE is bumped, so calendars show the new unit. The unit's id,
    or None when no other unit is free then."""
    async def move(unit: dict, unit_policy: Policy) -> int | None:
        return await _move_to(booking, unit, unit_policy)

    moved = await take_free_units(site_id=booking["site_id"], kind=booking["kind"], starts_at=booking["starts_at"],
                                   ends_at=booking["ends_at"], quantity=1, now=now, insert=move)
    return moved[0] if moved else None


async def withdraw_bookings(booking_ids: list[int], *, reason: str, now: datetime) -> list[int]:
    """Cancel these bookings (those still confirmed) as the system, saying why (cancel_reason:
    resource_maintenance, resource_lost, resource_retired). The learners are told once by the
    reminders' booking_withdrawn notice (e-mail and push) and see the reason in the app."""
    if not booking_ids:
        return []
    return [row["id"] for row in await db.fetch(WITHDRAW, booking_ids, now, reason)]


# Cancels the listed bookings that are still confirmed, in id order (rows locked one way only), as
# the system: cancel_reason says why, cancel_note what the learner is told. No waitlist offer:
# the site is closed, nobody may have those slots.
CANCEL_FOR_CLOSURE = f"""
UPDATE booking SET status = 'cancelled', cancelled_at = $2, {queries.BUMP}, cancel_reason = 'closure', cancel_note = $3
WHERE id IN (SELECT id FROM booking WHERE id = ANY($1::bigint[]) AND status = 'confirmed' ORDER BY id
             FOR NO KEY UPDATE)
RETURNING id
"""


async def cancel_for_closure(*, booking_ids: list[int], note: str, now: datetime) -> list[int]:
    """A closure cancels these bookings (those still confirmed), telling the learners `note`;
    within the caller's transaction. The ids cancelled."""
    return [row["id"] for row in await db.fetch(CANCEL_FOR_CLOSURE, booking_ids, now, note)]


# A loan shortened around a closure keeps its learner and unit; cancel_note says why to the learner
# (the app shows "raccourcie" for a confirmed booking with a note). Shrinking never overlaps anyone.
SHORTEN_FOR_CLOSURE = f"""
UPDATE booking SET starts_at = $2, ends_at = $3::timestamptz, blocked_until = $3::timestamptz + (blocked_until - ends_at),
       {queries.BUMP},
       cancel_note = $4
WHERE id = $1 AND status = 'confirmed'
RETURNING id
"""


async def _around_closure(row: dict, closing: Closing) -> tuple[datetime, datetime] | str | None:
    """rules.span_around_closure for a booking of several days (one of a day is only cancelled)."""
    tz = ZoneInfo(row["timezone"])
    first, last = row["starts_at"].astimezone(tz).date(), row["ends_at"].astimezone(tz).date()
    if first == last:
        return None
    context = await queries.booking_context(row["resource_id"], row["user_id"] or 0, first, last,
                                            starts_at=row["starts_at"], now=clock.now(), generic_plans=False)
    if context is None:
        return None
    return rules.span_around_closure(row["starts_at"], row["ends_at"], context.policy, context.calendar,
                                     closing.starts_on, closing.ends_on)


async def hit_by_closure(closing: Closing, limit: int) -> list[dict]:
    """The confirmed bookings a closure of those days hits, with their learners (first to start first).
    A loan by the day whose first and last days stay open is not hit (it needs no desk in between);
    one losing its first or last days is `shortened_to` the open days left when they are enough."""
    hit = []
    for row in await queries.closure_impact(closing.site_id, closing.starts_on, closing.ends_on, limit):
        verdict = await _around_closure(row, closing)
        if verdict == rules.KEPT:
            continue
        hit.append({**row, "shortened_to": verdict} if isinstance(verdict, tuple) else row)
    return hit


async def cancel_hit_by_closure(closing: Closing, hit: list[dict]) -> list[int]:
    """Shorten what can be, cancel the rest; the ids of both (the shortened ones carry `shortened_to`)."""
    shortened = []
    for row in hit:
        if row.get("shortened_to"):
            starts_at, ends_at = row["shortened_to"]
            shortened += [r["id"] for r in await db.fetch(SHORTEN_FOR_CLOSURE, row["id"], starts_at, ends_at,
                                                           closing.reason)]
    cancelled = await cancel_for_closure(booking_ids=[row["id"] for row in hit if not row.get("shortened_to")],
                                         note=closing.reason, now=closing.now)
    return shortened + cancelled


# What a closure does to bookings (fablab/hooks/closure_effects.py): the learners are told by the reminders'
# booking_withdrawn notice, with the closure's reason.
CLOSURE_EFFECT = ClosureEffect("bookings", hit=hit_by_closure, cancel=cancel_hit_by_closure)


async def lock_for_change(booking_ids: list[int]) -> list[dict]:
    """Lock bookings about to be moved or cancelled: their units first (shared), then the
    bookings, both in id order (the order every writer follows)."""
    await db.fetch("SELECT 1 FROM resource WHERE id IN (SELECT resource_id FROM booking WHERE id = ANY($1::bigint[])) "
                   "ORDER BY id FOR SHARE", booking_ids)
    return await db.fetch(
        "SELECT id, resource_id, site_id, kind, starts_at, ends_at, blocked_until, status, occurrence_date "
        "FROM booking WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE", booking_ids)


async def cancel_locked(*, actor: CurrentUser, bookings: list[dict], now: datetime) -> list[Freed]:
    """Cancel bookings the caller locked (lock_for_change) and checked; what each freed, for the
    caller to offer to the waitlist."""
    await db.fetch(CANCEL, [booking["id"] for booking in bookings], now, actor.id)
    return [_freed(booking, now) for booking in bookings]


MOVE = f"""
UPDATE booking SET starts_at = $2, ends_at = $3, blocked_until = $4, purpose = coalesce($5, purpose), {queries.BUMP}
WHERE id = $1
"""


async def move_booking(*, booking_id: int, starts_at: datetime, ends_at: datetime, blocked_until: datetime,
                       purpose: str | None) -> bool:
    """New times (and purpose, unless None) for a booking the caller locked, in a savepoint: False
    when the unit is taken then (nothing else undone)."""
    await db.fetch("SAVEPOINT booking_move")
    try:
        await db.fetch(MOVE, booking_id, starts_at, ends_at, blocked_until, purpose)
    except asyncpg.ExclusionViolationError:
        await db.fetch("ROLLBACK TO SAVEPOINT booking_move")
        return False
    await db.fetch("RELEASE SAVEPOINT booking_move")
    return True
