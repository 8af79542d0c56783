"""Creating a booking: one unit, or any free unit of a kind, every rule checked inside the write
transaction (docs/ARCHITECTURE.md, Rules 1-4); the exclusion constraint stays the guarantee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import asyncpg

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.hooks import admission, unit_gates
from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.bookings import queries
from fablab.bookings.rules import (
    Usage, check_booking, check_order, check_override_bounds, check_quotas, check_resource_status, check_training,
    quota_headroom, walk_up_due, week_bounds,
)
from fablab.sites.calendar import Policy, SiteCalendar
from fablab.bookings.schemas import BookingOut
from fablab.bookings.units import UNIT_INSERT_LOCK, take_free_units
from fablab.platform.db import DB
from fablab.domain.errors import BookingConflict, Forbidden, InvalidInput, NotFound, PolicyViolation
from fablab.sites import queries as site_queries

UTC = timezone.utc

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


async def _lock_user(user_id: int, now: datetime, *, site_id: int, kind: str, starts_at: datetime) -> dict:
    """Lock the booker's row and release the no-shows of the units concerned (lazily, rule 5).

    The row lock serialises one learner's concurrent bookings, so quotas cannot be overrun.
    """
    user = await queries.lock_user_and_sweep(user_id, now, site_id=site_id, kind=kind, starts_at=starts_at)
    if user is None or not user["active"]:
        raise NotFound(f"No active user {user_id}.", code=codes.UNKNOWN_USER)
    return user


def _dates_concerned(starts_at: datetime, ends_at: datetime, now: datetime) -> tuple[date, date]:
    # UTC dates widened by a day cover the site-local dates of any time zone.
    return (min(starts_at, now).astimezone(UTC).date() - timedelta(days=1),
            max(ends_at, now).astimezone(UTC).date() + timedelta(days=1))


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
                         resource_tag: str | None = None, borrower_checked: bool = False) -> BookingOut:
    """Book one unit, or any free unit of a kind at a site (least used first, next one on a lost race).

    Every rule is checked inside the write transaction; the exclusion constraint stays the guarantee
    (409 booking_conflict). enforce_policy=False is the staff override: it skips the policy, never
    the constraint, the item's status or the order of the times. resource_tag may stand for
    resource_id (the API passes the tag, saving a lookup). borrower_checked: the desk's walk-up, whose
    caller already checked whom it lends to (scope.require_borrower: a visiting learner may borrow).
    """
    check_order(starts_at, ends_at)
    if not borrower_checked:
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

    async def admit(self, site_id: int, kind: str, resource_id: int | None,
                    may_refuse: list[bool] | None = None) -> None:
        """The checks other domains declare about the person (fablab/hooks/admission.py); may_refuse: their
        probes, read with the booking's context."""
        await admission.admit(admission.Taking(
            person_id=self.user_id, site_id=site_id, what="booking", starts_at=self.starts_at, ends_at=self.ends_at,
            actor_id=self.actor.id, actor_is_staff=self.actor.is_staff, kind=kind, resource_id=resource_id,
            enforce_policy=self.enforce_policy), may_refuse)

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
        context = await queries.booking_context(ref, request.user_id, first, last, starts_at=request.starts_at,
                                                now=request.now, generic_plans=not nested)
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
            if resource["gates_may_refuse"]:
                await unit_gates.require_open(resource["id"], resource["tag"], request.now)
        await request.admit(resource["site_id"], resource["kind"], resource["id"], resource["admission_may_refuse"])
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
        user = await _lock_user(request.user_id, request.now, site_id=site_row["id"], kind=kind,
                                starts_at=request.starts_at)
        calendar = None
        if request.enforce_policy:
            calendar = await site_queries.calendar_for(site_row, first, last)
            check_booking(starts_at=request.starts_at, ends_at=request.ends_at, policy=policy, calendar=calendar,
                          now=request.now)
        await request.admit(site_row["id"], kind, None, user["admission_may_refuse"])
        rules = _BookerRules.of(request, user["role"], policy, calendar)
        return await _book_any_unit(request, site_row, kind, rules)


async def _book_any_unit(request: _BookingRequest, site: dict, kind: str, rules: _BookerRules) -> dict:
    async def insert(unit: dict, unit_policy: Policy) -> dict | None:
        return await _insert_with_savepoint(request.row_for(unit, unit_policy), rules, request.now)

    booked = await take_free_units(site_id=site["id"], kind=kind, starts_at=request.starts_at,
                                    ends_at=request.ends_at, quantity=1, now=request.now, insert=insert)
    if not booked:
        raise BookingConflict(f"No {kind} is free at {site['slug']} at that time.")
    return booked[0]
