"""Writes of the bookings domain: the only module that writes the booking table."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TypeVar
from zoneinfo import ZoneInfo

import asyncpg

from fablab import admission, clock, codes, db, scope
from fablab.accounts.current import CurrentUser
from fablab.bookings import queries
from fablab.bookings.rules import (
    Policy, SiteCalendar, Usage, check_booking, check_order, check_override_bounds, check_quotas, check_resource_status,
    check_training, quota_headroom, walk_up_due, week_bounds,
)
from fablab.bookings.schemas import BookingOut
from fablab.db import DB
from fablab.errors import BookingConflict, Conflict, Forbidden, InvalidInput, NotFound, PolicyViolation
from fablab.maintenance import queries as maintenance_queries
from fablab.sites import queries as site_queries

UTC = timezone.utc
T = TypeVar("T")
# "Least used first" counts bookings this far back and ahead (bounded, so long histories cost nothing).
USAGE_WINDOW = timedelta(days=30)


async def policy_for_resource(resource_id: int) -> Policy:
    """The rules that apply to one unit (its override, else its site's policy for its kind)."""
    resource = await db.fetchone("SELECT site_id, kind FROM resource WHERE id = $1", resource_id)
    if resource is None:
        raise NotFound(f"No resource {resource_id}.", code=codes.UNKNOWN_RESOURCE)
    return await site_queries.policy_for(resource["site_id"], resource["kind"], resource_id)


def walk_up_due_at(policy: Policy, *, opening_hours: dict, timezone_name: str, now: datetime,
                   closures: list[tuple[date, date]] = ()) -> datetime | None:
    """A walk-up loan's due time from the policy, the site's opening hours and now (pure): the
    shortest allowed loan ending on a slot boundary, or today's closing for loans by the day;
    None when the site is not open now. Public holidays count as closed, as for bookings."""
    calendar = SiteCalendar.build(timezone_name=timezone_name, opening_hours=opening_hours, closures=list(closures),
                                  years=[now.year])
    return walk_up_due(policy, calendar, now)


# -------------------------------------------------------------------------------------------
# Creating a booking


async def _lock_user(user_id: int, now: datetime, *, site_id: int, kind: str) -> dict:
    """Lock the booker's row and release the no-shows of the units concerned (lazily, rule 5).

    The row lock serialises one learner's concurrent bookings, so quotas cannot be overrun.
    """
    user = await db.fetchone(queries.LOCK_USER_AND_SWEEP, now, site_id, kind, None, None, user_id)
    if user is None or not user["active"]:
        raise NotFound(f"No active user {user_id}.", code=codes.UNKNOWN_USER)
    return user


def _dates_concerned(starts_at: datetime, ends_at: datetime, now: datetime) -> tuple[date, date]:
    # UTC dates widened by a day cover the site-local dates of any time zone.
    return (min(starts_at, now).astimezone(UTC).date() - timedelta(days=1),
            max(ends_at, now).astimezone(UTC).date() + timedelta(days=1))


# Key class of the advisory lock a booking INSERT takes on its unit (pg_advisory_xact_lock(int,
# int), a key space of its own).
UNIT_INSERT_LOCK = 7001

# Inserts the booking if the booker's own state allows it, and reads it back as the API shows it,
# in one round trip. $1..$9 the booking; $10 now, $11..$12 the booking's week, $13 the training
# the policy requires, $14 the most active bookings and $15 the most minutes that week the booker
# may already hold (rules.quota_headroom; NULL: no limit), $16 whether those rules apply at all,
# $17 whether the booker named the unit (unit_chosen: out_of_service moves only the others).
#
# The state (the learner's active bookings of the kind, minutes booked that week, the training)
# is read by this statement, whose snapshot is taken after the booker's row lock was granted to an
# earlier statement of the transaction: it sees every booking of theirs committed meanwhile, and
# none can be in progress. When the guard refuses, nothing is inserted and the state comes back,
# for the precise error (_BookerRules.raise_refusal).
#
# Two transactions inserting overlapping bookings of one unit at the same instant can each see the
# other's uncommitted row while checking the exclusion constraint, and wait for each other: a
# deadlock, which PostgreSQL breaks only after a second by failing one of them (503 try_again).
# So the INSERT first takes an advisory lock on its unit, held until commit: inserters of one unit
# go one at a time, and the later one sees the earlier's row committed (409 booking_conflict). It
# is the last lock a booking takes (after the unit's row and the booker's), so it closes no cycle.
INSERT_BOOKING = f"""
WITH state AS (
    SELECT count(*) FILTER (WHERE status IN ('confirmed', 'checked_out') AND ends_at > $10) AS active,
           coalesce(sum(extract(epoch FROM least(ends_at, $12) - greatest(starts_at, $11)) / 60)
             FILTER (WHERE status IN ('confirmed', 'checked_out', 'returned') AND starts_at < $12 AND ends_at > $11),
             0)::float8 AS week_minutes,
           EXISTS (SELECT FROM certification c WHERE $16 AND c.user_id = $4 AND c.training_id = $13
                   AND (c.expires_at IS NULL OR c.expires_at > $10)) AS trained
    FROM booking WHERE $16 AND user_id = $4 AND kind = $3 AND ends_at > least($10::timestamptz, $11::timestamptz)),
b AS (
    INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, purpose,
                         unit_chosen)
    SELECT $1::int, $2::int, $3::text, $4::int, $5::int, $6::timestamptz, $7::timestamptz, $8::timestamptz, $9::text,
           $17::boolean
    FROM state, (SELECT pg_advisory_xact_lock({UNIT_INSERT_LOCK}, $1::int)) AS unit_lock
    WHERE NOT $16 OR (($13::int IS NULL OR state.trained) AND ($14::int IS NULL OR state.active <= $14)
                      AND ($15::float8 IS NULL OR state.week_minutes <= $15))
    RETURNING *)
SELECT state.active, state.week_minutes, state.trained, inserted.*
FROM state LEFT JOIN ({queries.BOOKING_SELECT.replace("FROM booking b", "FROM b")}) AS inserted ON true
"""


@dataclass(frozen=True)
class _BookerRules:
    """Training and quotas: the rules that depend on the booker's own bookings, checked by
    INSERT_BOOKING's guard. They bind learners; staff booking for themselves are trusted, and the
    staff override skips them."""

    applies: bool
    policy: Policy
    minutes: float
    week: tuple[datetime, datetime]

    @classmethod
    def of(cls, request: "_BookingRequest", role: str, policy: Policy, calendar: SiteCalendar | None) -> "_BookerRules":
        applies = request.enforce_policy and role == "learner"
        week = week_bounds(request.starts_at, calendar.tz) if applies else (request.now, request.now)
        return cls(applies=applies, policy=policy, minutes=(request.ends_at - request.starts_at).total_seconds() / 60,
                   week=week)

    def sql_args(self, now: datetime) -> tuple:
        most_active, most_minutes = quota_headroom(self.policy, self.minutes)
        return (now, *self.week, self.policy.training_id, most_active, most_minutes, self.applies)

    async def refusal(self, state: dict, *, user_id: int, kind: str, now: datetime) -> PolicyViolation | None:
        """The error check_booking gives for this state (None if it allows it); a quota refusal
        also names the bookings that hold the quota, so the learner knows which one to cancel."""
        try:
            check_training(self.policy, {self.policy.training_id} if state["trained"] else set())
            check_quotas(self.policy, Usage(active_bookings=state["active"], week_minutes=state["week_minutes"]),
                         self.minutes)
        except PolicyViolation as refused:
            if refused.code == codes.QUOTA_EXCEEDED:
                refused.extra["holding"] = await queries.quota_holding(
                    user_id=user_id, kind=kind, quota=refused.extra["quota"], now=now, week=self.week)
            return refused
        return None

    async def raise_refusal(self, state: dict, *, user_id: int, kind: str, now: datetime) -> None:
        """The guard refused: raise the rule that did."""
        refused = await self.refusal(state, user_id=user_id, kind=kind, now=now)
        if refused is None:
            raise AssertionError(f"INSERT_BOOKING refused a state the rules accept: {state}")
        raise refused


async def booker_refusal(*, user_id: int, site_id: int, kind: str, resource_id: int | None, starts_at: datetime,
                         ends_at: datetime, timezone_name: str, now: datetime) -> PolicyViolation | None:
    """What the booker's own rules (training, quotas) would refuse for this wish now, without
    booking anything; None when they allow it or do not bind this user (staff)."""
    policy = await site_queries.policy_for(site_id, kind, resource_id)
    week = week_bounds(starts_at, ZoneInfo(timezone_name))
    state = await queries.booker_state(user_id=user_id, kind=kind, now=now, week=week, training_id=policy.training_id)
    if state is None or state["role"] != "learner":
        return None
    rules = _BookerRules(applies=True, policy=policy, minutes=(ends_at - starts_at).total_seconds() / 60, week=week)
    return await rules.refusal(state, user_id=user_id, kind=kind, now=now)


async def _insert_booking(args: tuple, rules: _BookerRules, now: datetime, *, unit_chosen: bool) -> dict:
    """INSERT_BOOKING (args: its $1..$9); the booking, or the rule refusing it."""
    row = await db.fetchone(INSERT_BOOKING, *args, *rules.sql_args(now), unit_chosen)
    if row["id"] is None:
        await rules.raise_refusal(row, user_id=args[3], kind=args[2], now=now)
    return row


# Free units of a kind for a period, with how often each was booked lately ("least used first").
# Uses the exclusion constraint's predicate and range expression (queries.HOLDING) so its GiST
# index answers the NOT EXISTS.
FREE_UNITS = f"""
SELECT r.id, r.tag,
       (SELECT count(*) FROM booking u WHERE u.resource_id = r.id AND u.starts_at >= $5 AND u.starts_at < $6
           AND u.status IN ('confirmed', 'checked_out', 'returned')) AS recent_uses,
       {maintenance_queries.may_refuse("r")} AS maintenance_may_refuse
FROM resource r
WHERE r.site_id = $1 AND r.kind = $2 AND r.status = 'available'
  AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.resource_id = r.id AND {queries.holding("b", "$3", "$4")})
"""


async def _take_free_units(*, site_id: int, kind: str, starts_at: datetime, ends_at: datetime, quantity: int,
                           now: datetime, insert: Callable[[dict, Policy], Awaitable[T | None]]) -> list[T]:
    """The "any free unit of a kind" loop: `insert` on the free units, least used first, until
    `quantity` of them are booked (fewer when too few are free). Ties go in random order, so
    simultaneous requests spread over the free units instead of all racing for the first one.
    insert(unit, its policy) books one unit in a savepoint of its own; None on a lost race."""
    policy = await site_queries.policy_for(site_id, kind)
    candidates = await db.fetch(FREE_UNITS, site_id, kind, starts_at, ends_at + policy.buffer,
                                now - USAGE_WINDOW, now + USAGE_WINDOW)
    if any(unit["maintenance_may_refuse"] for unit in candidates):
        # Units whose plan refuses bookings while their maintenance is overdue are not offered.
        overdue = await maintenance_queries.overdue_units(site_id, kind, now)
        candidates = [unit for unit in candidates if unit["id"] not in overdue]
    random.shuffle(candidates)
    candidates.sort(key=lambda row: row["recent_uses"])
    taken: list[T] = []
    for unit in candidates:
        if len(taken) == quantity:
            break
        unit_policy = await site_queries.policy_for(site_id, kind, unit["id"])
        row = await insert({"id": unit["id"], "site_id": site_id, "kind": kind}, unit_policy)
        if row is not None:
            taken.append(row)
    return taken


async def _insert_with_savepoint(args: tuple, rules: _BookerRules, now: datetime) -> dict | None:
    """One attempt at one unit; a lost race rolls back to the savepoint, not the whole transaction
    (a rule refusing the booker refuses every unit, and ends it)."""
    await db.fetch("SAVEPOINT booking_attempt")
    try:
        row = await _insert_booking(args, rules, now, unit_chosen=False)
    except asyncpg.ExclusionViolationError:
        await db.fetch("ROLLBACK TO SAVEPOINT booking_attempt")
        return None
    await db.fetch("RELEASE SAVEPOINT booking_attempt")
    return row


async def _check_may_book_for(actor: CurrentUser, user_id: int) -> None:
    if user_id == actor.id:
        return
    if not actor.is_staff:
        raise Forbidden("Only staff book for someone else.", code=codes.NOT_ALLOWED_FOR_OTHERS)
    await scope.require_person_id(actor, user_id)


class _UnitTaken(BookingConflict):
    """The exclusion constraint refused one unit's booking (a 409 unless a no-show is released)."""

    def __init__(self, resource: dict) -> None:
        super().__init__(f"{resource['tag']} is already booked at that time.")
        self.resource_id = resource["id"]


async def create_booking(*, actor: CurrentUser, user_id: int, starts_at: datetime, ends_at: datetime,
                         resource_id: int | None = None, site: str | None = None, kind: str | None = None,
                         purpose: str = "", enforce_policy: bool = True, now: datetime | None = None,
                         resource_tag: str | None = None) -> BookingOut:
    """Book one unit, or any free unit of a kind at a site (least used first, next one on a lost race).

    Every rule is checked inside the write transaction; the exclusion constraint stays the guarantee
    (409 booking_conflict). enforce_policy=False is the staff override: it skips the policy, never
    the constraint, the item's status or the order of the times. resource_tag may stand for
    resource_id (the API passes the tag, saving a lookup).
    """
    check_order(starts_at, ends_at)
    await _check_may_book_for(actor, user_id)
    if not enforce_policy and not actor.is_staff:
        raise Forbidden("Only staff may override the booking rules.", code=codes.OVERRIDE_NOT_ALLOWED)
    now = now or clock.now()
    if not enforce_policy:
        check_override_bounds(starts_at, ends_at, now)
    if resource_id is None and resource_tag is None and (site is None or kind is None):
        raise InvalidInput("Give a resource, or a site and a kind.", code=codes.RESOURCE_REQUIRED)
    request = _BookingRequest(actor=actor, user_id=user_id, starts_at=starts_at, ends_at=ends_at, purpose=purpose,
                              enforce_policy=enforce_policy, now=now)
    if resource_id is None and resource_tag is None:
        return queries.booking_out(await _book_any_unit_of_kind(request, site, kind))
    ref = resource_id if resource_id is not None else resource_tag
    # Rule 5, lazily: an overdue no-show may be what holds the slot. On its own, a booking releases
    # the unit's no-shows only when the slot is refused, then tries once more (a second refusal is
    # a real conflict), so a booking that goes through never pays for the sweep. Inside a caller's
    # transaction (a walk-up at the desk, a waitlist offer) a refused INSERT aborts that
    # transaction, so there is no second try: the no-shows are released before the INSERT.
    nested = DB.current_transaction.get() is not None
    try:
        row = await _book_unit(request, ref, nested=nested)
    except _UnitTaken as taken:
        if nested or not await queries.sweep_no_shows(now, resource_id=taken.resource_id):
            raise
        row = await _book_unit(request, ref, nested=False)
    return queries.booking_out(row)


@dataclass(frozen=True)
class _BookingRequest:
    actor: CurrentUser
    user_id: int
    starts_at: datetime
    ends_at: datetime
    purpose: str
    enforce_policy: bool
    now: datetime

    @property
    def dates_concerned(self) -> tuple[date, date]:
        return _dates_concerned(self.starts_at, self.ends_at, self.now)

    def check_site(self, site_id: int) -> None:
        """Booking for someone else, or past the rules, is staff work: on the staff's sites only.
        Booking for oneself within the rules is what any learner may do, anywhere."""
        if self.user_id != self.actor.id or not self.enforce_policy:
            scope.require_site(self.actor, site_id, "This item")

    async def admit(self, site_id: int, kind: str, resource_id: int | None) -> None:
        """The checks other domains declare about the person (fablab/admission.py)."""
        await admission.admit(admission.Taking(
            person_id=self.user_id, site_id=site_id, what="booking", starts_at=self.starts_at, ends_at=self.ends_at,
            actor_id=self.actor.id, actor_is_staff=self.actor.is_staff, kind=kind, resource_id=resource_id,
            enforce_policy=self.enforce_policy))

    def row_for(self, unit: dict, policy: Policy) -> tuple:
        """INSERT_BOOKING's $1..$9 for this request on one unit (id, site_id, kind) under its policy."""
        return (unit["id"], unit["site_id"], unit["kind"], self.user_id, self.actor.id, self.starts_at, self.ends_at,
                self.ends_at + policy.buffer, self.purpose)


async def _book_unit(request: _BookingRequest, ref: int | str, *, nested: bool) -> dict:
    """One unit by id or tag, in one transaction: context and locks, rules, then the INSERT.
    nested: inside a caller's transaction, whose plans are left alone and which a refused INSERT
    would abort, so the unit's no-shows are released first."""
    first, last = request.dates_concerned
    async with DB.transaction():
        context = await queries.booking_context(ref, request.user_id, first, last, generic_plans=not nested)
        if context is None:
            raise NotFound(f"No item {ref}.", code=codes.UNKNOWN_RESOURCE if isinstance(ref, int) else "unknown_tag")
        if context.user is None:
            raise NotFound(f"No active user {request.user_id}.", code=codes.UNKNOWN_USER)
        resource, policy = context.resource, context.policy
        request.check_site(resource["site_id"])
        check_resource_status(resource["status"])
        if request.enforce_policy:
            check_booking(starts_at=request.starts_at, ends_at=request.ends_at, policy=policy,
                          calendar=context.calendar, now=request.now)
            if resource["maintenance_may_refuse"]:
                await maintenance_queries.require_not_overdue(resource["id"], resource["tag"], request.now)
        await request.admit(resource["site_id"], resource["kind"], resource["id"])
        if nested:
            await queries.sweep_no_shows(request.now, resource_id=resource["id"])
        rules = _BookerRules.of(request, context.user["role"], policy, context.calendar)
        try:
            # One unit, one attempt: a conflict ends the transaction, so no savepoint is needed.
            return await _insert_booking(request.row_for(resource, policy), rules, request.now, unit_chosen=True)
        except asyncpg.ExclusionViolationError:
            raise _UnitTaken(resource) from None


async def _book_any_unit_of_kind(request: _BookingRequest, site: str, kind: str) -> dict:
    kind = site_queries.require_kind(kind)
    first, last = request.dates_concerned
    async with DB.transaction():
        site_row = await site_queries.require_site(site)
        request.check_site(site_row["id"])
        policy = await site_queries.policy_for(site_row["id"], kind)
        user = await _lock_user(request.user_id, request.now, site_id=site_row["id"], kind=kind)
        calendar = None
        if request.enforce_policy:
            calendar = await site_queries.calendar_for(site_row, first, last)
            check_booking(starts_at=request.starts_at, ends_at=request.ends_at, policy=policy, calendar=calendar,
                          now=request.now)
        await request.admit(site_row["id"], kind, None)
        rules = _BookerRules.of(request, user["role"], policy, calendar)
        return await _book_any_unit(request, site_row, kind, rules)


async def _book_any_unit(request: _BookingRequest, site: dict, kind: str, rules: _BookerRules) -> dict:
    async def insert(unit: dict, unit_policy: Policy) -> dict | None:
        return await _insert_with_savepoint(request.row_for(unit, unit_policy), rules, request.now)

    booked = await _take_free_units(site_id=site["id"], kind=kind, starts_at=request.starts_at,
                                    ends_at=request.ends_at, quantity=1, now=request.now, insert=insert)
    if not booked:
        raise BookingConflict(f"No {kind} is free at {site['slug']} at that time.")
    return booked[0]


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


# -------------------------------------------------------------------------------------------
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

    moved = await _take_free_units(site_id=booking["site_id"], kind=booking["kind"], starts_at=booking["starts_at"],
                                   ends_at=booking["ends_at"], quantity=1, now=now, insert=move)
    return moved[0] if moved else None


async def withdraw_bookings(booking_ids: list[int], *, reason: str, now: datetime) -> list[int]:
    """Cancel these bookings (those still confirmed) as the system, saying why (cancel_reason:
    resource_maintenance, resource_lost, resource_retired). The learners are told once by the
    reminders' booking_withdrawn notice (e-mail and push) and see the reason in the app."""
    if not booking_ids:
        return []
    return [row["id"] for row in await db.fetch(WITHDRAW, booking_ids, now, reason)]


async def expire_no_shows(now: datetime | None = None) -> int:
    """Every site's overdue confirmed bookings become no_show (the periodic job)."""
    return await queries.sweep_no_shows(now or clock.now())


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


# -------------------------------------------------------------------------------------------
# Series: their occurrences are ordinary bookings, written here


@dataclass(frozen=True)
class SeriesBooking:
    """What every occurrence of one series shares."""

    series_id: int
    site_id: int
    kind: str
    user_id: int
    created_by_id: int
    purpose: str


# Takes the unit's insert lock first, as a single booking's INSERT does (INSERT_BOOKING): a learner
# booking the same unit meanwhile waits for the series instead of deadlocking with it in the
# exclusion check.
INSERT_OCCURRENCE = f"""
INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until,
                     purpose, series_id, occurrence_date, unit_chosen)
SELECT $1::int, $2::int, $3::text, $4::int, $5::int, $6::timestamptz, $7::timestamptz, $8::timestamptz, $9::text,
       $10::bigint, $11::date, $12::boolean
FROM (SELECT pg_advisory_xact_lock({UNIT_INSERT_LOCK}, $1::int)) AS unit_lock
RETURNING id
"""


async def insert_occurrence(*, series: SeriesBooking, unit_id: int, buffer: timedelta, day: date,
                            starts_at: datetime, ends_at: datetime, unit_chosen: bool = True) -> int | None:
    """One occurrence on one unit, in a savepoint of the caller's transaction: its id, or None
    when the unit is taken then (nothing else undone). unit_chosen: the series names this unit."""
    await db.fetch("SAVEPOINT series_unit")
    try:
        booking_id = await db.fetchval(
            INSERT_OCCURRENCE, unit_id, series.site_id, series.kind, series.user_id, series.created_by_id, starts_at,
            ends_at, ends_at + buffer, series.purpose, series.series_id, day, unit_chosen)
    except asyncpg.ExclusionViolationError:
        await db.fetch("ROLLBACK TO SAVEPOINT series_unit")
        return None
    await db.fetch("RELEASE SAVEPOINT series_unit")
    return booking_id


async def insert_occurrences_of_kind(*, series: SeriesBooking, quantity: int, day: date, starts_at: datetime,
                                     ends_at: datetime, now: datetime) -> list[int]:
    """Up to `quantity` free units of the series' kind for one date, least used first (the same
    choice as a single booking by kind); fewer when fewer are free (the caller decides)."""
    async def insert(unit: dict, unit_policy: Policy) -> int | None:
        return await insert_occurrence(series=series, unit_id=unit["id"], buffer=unit_policy.buffer, day=day,
                                       starts_at=starts_at, ends_at=ends_at, unit_chosen=False)

    return await _take_free_units(site_id=series.site_id, kind=series.kind, starts_at=starts_at, ends_at=ends_at,
                                  quantity=quantity, now=now, insert=insert)


async def lock_for_change(booking_ids: list[int]) -> list[dict]:
    """Lock bookings about to be moved or cancelled: their units first (shared), then the
    bookings, both in id order (the order every writer follows)."""
    await db.fetch("SELECT 1 FROM resource WHERE id IN (SELECT resource_id FROM booking WHERE id = ANY($1::bigint[])) "
                   "ORDER BY id FOR SHARE", booking_ids)
    return await db.fetch(
        "SELECT id, resource_id, site_id, kind, starts_at, ends_at, blocked_until, status, occurrence_date "
        "FROM booking WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE", booking_ids)


async def hold_insert_locks(unit_ids: list[int]) -> None:
    """The units' insert locks, in id order (unnest keeps the array's), before moving bookings of
    them: a booking of one of these units then waits for the move instead of deadlocking with it
    in the exclusion check."""
    await db.fetch(f"SELECT pg_advisory_xact_lock({UNIT_INSERT_LOCK}, unit) FROM unnest($1::int[]) AS unit",
                   sorted(set(unit_ids)))


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


# -------------------------------------------------------------------------------------------
# The desk: hand over and take back (each one statement that also logs the movement, one round
# trip on the desk's hot path; the booking is read back in its one shape, queries.BOOKING_COLUMNS)


# The booking becomes the loan (re-checked: still confirmed), the movement is logged, and the loan
# is read back as the desk shows it.
HAND_OVER = f"""
WITH upd AS (
    UPDATE booking SET resource_id = $2, starts_at = $3, ends_at = $4, blocked_until = $5,
           status = 'checked_out', checked_out_at = $6, {queries.BUMP}
    WHERE id = $1 AND status = 'confirmed' RETURNING *),
mv AS (
    INSERT INTO movement (resource_id, kind, booking_id, holder_id, staff_id, site_id, note, at)
    SELECT resource_id, 'check_out', id, user_id, $7, site_id, $8, $6 FROM upd)
SELECT {queries.BOOKING_COLUMNS} {queries.BOOKING_FROM.replace('FROM booking b', 'FROM upd b')}
"""

# The loan ends (early: now, so the rest of its slot is free again), the movement is logged, and the
# booking is read back with what it held before and whether anyone waits for its kind at its site.
TAKE_BACK = f"""
WITH old AS (SELECT id, ends_at, blocked_until FROM booking WHERE id = $1),
upd AS (
    UPDATE booking b SET status = 'returned', returned_at = $2,
           ends_at = CASE WHEN $2 < b.ends_at THEN greatest($2, b.starts_at + interval '1 second') ELSE b.ends_at END,
           blocked_until = CASE WHEN $2 < b.ends_at
               THEN greatest($2, b.starts_at + interval '1 second') + (b.blocked_until - b.ends_at) ELSE b.blocked_until END,
           {queries.BUMP}
    WHERE b.id = $1 AND b.status = 'checked_out' RETURNING b.*),
mv AS (
    INSERT INTO movement (resource_id, kind, booking_id, holder_id, staff_id, site_id, condition, note)
    SELECT resource_id, 'check_in', id, user_id, $3, site_id, $4, $5 FROM upd)
SELECT {queries.BOOKING_COLUMNS}, old.ends_at AS held_until, old.blocked_until AS held_blocked_until,
       EXISTS (SELECT 1 FROM waitlist_entry w WHERE w.status = 'waiting' AND w.site_id = b.site_id
                  AND w.kind = b.kind) AS anyone_waiting
{queries.BOOKING_FROM.replace('FROM booking b', 'FROM upd b')} JOIN old ON old.id = b.id
"""


async def hand_over(*, booking_id: int, resource_id: int, starts_at: datetime, ends_at: datetime,
                    blocked_until: datetime, now: datetime, staff_id: int, note: str) -> dict | None:
    """The confirmed booking becomes a loan of `resource_id` over [starts_at, ends_at); None when it
    is no longer confirmed. Raises asyncpg's UniqueViolationError when the unit is out already
    and ExclusionViolationError when it is booked meanwhile (the caller says which)."""
    return await db.fetchone(HAND_OVER, booking_id, resource_id, starts_at, ends_at, blocked_until, now, staff_id,
                             note)


async def take_back(*, booking_id: int, now: datetime, staff_id: int, condition: str,
                    note: str) -> dict | None:
    """The loan ends now (the rest of its slot is free again); None when it is not out. The row
    has held_until, held_blocked_until (what it held before) and anyone_waiting."""
    return await db.fetchone(TAKE_BACK, booking_id, now, staff_id, condition, note)


def freed_by_return(row: dict, now: datetime) -> Freed:
    """What an early return gives back: from now to the end of what the loan held."""
    return Freed(resource_id=row["resource_id"], site_id=row["site_id"], kind=row["kind"], starts_at=now,
                 blocked_until=row["held_blocked_until"])


# -------------------------------------------------------------------------------------------
# Privacy and demo data

# Forget who booked, and why, for finished bookings before the cutoff ($2); calendar feeds see the
# change like any other.
INSERT_DEMO = """
INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, status,
                     purpose, checked_out_at, returned_at)
VALUES ($1, $2, $3, $4, $4, $5, $6, $6, $7, $8, $9, $10) RETURNING id
"""


async def insert_demo_booking(*, resource_id: int, site_id: int, kind: str, user_id: int, starts_at: datetime,
                              ends_at: datetime, status: str, purpose: str, checked_out_at: datetime | None,
                              returned_at: datetime | None) -> int:
    """A demo booking in any state, as is (seed data only: no rule is checked)."""
    return await db.fetchval(INSERT_DEMO, resource_id, site_id, kind, user_id, starts_at, ends_at, status, purpose,
                             checked_out_at, returned_at)
