"""Writes of the bookings domain: create and cancel bookings, edit sites, closures and policies."""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone

import asyncpg

from fablab import db
from fablab.accounts.current import CurrentUser
from fablab.bookings import queries
from fablab.bookings.rules import (
    Policy, SiteCalendar, Usage, check_booking, check_order, check_resource_status, opening_hours_json,
    parse_opening_hours, validate_policy, walk_up_due, week_bounds,
)
from fablab.db import DB
from fablab.errors import BookingConflict, Conflict, Forbidden, InvalidInput, NotFound

UTC = timezone.utc
# "Least used first" counts bookings this far back and ahead (bounded, so long histories cost nothing).
USAGE_WINDOW = timedelta(days=30)


def _now() -> datetime:
    return datetime.now(UTC)


async def policy_for_resource(resource_id: int) -> Policy:
    """The rules that apply to one unit (its override, else its site's policy for its kind)."""
    resource = await db.fetchone("SELECT site_id, kind FROM resource WHERE id = $1", resource_id)
    if resource is None:
        raise NotFound(f"No resource {resource_id}.", code="unknown_resource")
    return await queries.policy_for(resource["site_id"], resource["kind"], resource_id)


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


async def _lock_user(user_id: int, now: datetime, *, site_id: int | None = None, kind: str | None = None,
                     resource_id: int | None = None) -> dict:
    """Lock the booker's row and release the no-shows of the units concerned (lazily, rule 5).

    The row lock serialises one learner's concurrent bookings, so quotas cannot be overrun.
    """
    user = await db.fetchone(queries.LOCK_USER_AND_SWEEP, now, site_id, kind, resource_id, None, user_id)
    if user is None or not user["active"]:
        raise NotFound(f"No active user {user_id}.", code="unknown_user")
    return user


# What binds a learner: active bookings of the kind, minutes booked in the week, and the training.
LEARNER_STATE = """
SELECT count(*) FILTER (WHERE status IN ('confirmed', 'checked_out') AND ends_at > $3) AS active,
       coalesce(sum(extract(epoch FROM least(ends_at, $5) - greatest(starts_at, $4)) / 60)
         FILTER (WHERE status IN ('confirmed', 'checked_out', 'returned') AND starts_at < $5 AND ends_at > $4), 0)
         AS week_minutes,
       $6::int IS NULL OR EXISTS (SELECT 1 FROM certification c WHERE c.user_id = $1 AND c.training_id = $6
                                  AND (c.expires_at IS NULL OR c.expires_at > $3)) AS trained
FROM booking WHERE user_id = $1 AND kind = $2 AND ends_at > least($3, $4)
"""


def _dates_concerned(starts_at: datetime, ends_at: datetime, now: datetime) -> tuple[date, date]:
    # UTC dates widened by a day cover the site-local dates of any time zone.
    return (min(starts_at, now).astimezone(UTC).date() - timedelta(days=1),
            max(ends_at, now).astimezone(UTC).date() + timedelta(days=1))


async def _check_policy(*, user: dict, calendar: SiteCalendar, kind: str, policy: Policy, starts_at: datetime,
                        ends_at: datetime, now: datetime) -> None:
    training_ids, usage = None, None
    # Training and quotas bind learners; staff booking for themselves are trusted.
    if user["role"] == "learner":
        week_start, week_end = week_bounds(starts_at, calendar.tz)
        state = await db.fetchone(LEARNER_STATE, user["id"], kind, now, week_start, week_end, policy.training_id)
        usage = Usage(active_bookings=state["active"], week_minutes=float(state["week_minutes"]))
        training_ids = {policy.training_id} if state["trained"] and policy.training_id else set()
    check_booking(starts_at=starts_at, ends_at=ends_at, policy=policy, calendar=calendar, now=now,
                  user_training_ids=training_ids, usage=usage)


# Inserts and reads back the booking as the API shows it, in one round trip.
INSERT_BOOKING = f"""
WITH b AS (
    INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, purpose)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *)
{queries.BOOKING_SELECT.replace("FROM booking b", "FROM b")}
"""

# Free units of a kind for a period, least used first. Repeats the exclusion constraint's
# predicate and range expression so its GiST index answers the NOT EXISTS.
FREE_UNITS = """
SELECT r.id, r.tag,
       (SELECT count(*) FROM booking u WHERE u.resource_id = r.id AND u.starts_at >= $5 AND u.starts_at < $6
           AND u.status IN ('confirmed', 'checked_out', 'returned')) AS recent_uses
FROM resource r
WHERE r.site_id = $1 AND r.kind = $2 AND r.status = 'available'
  AND NOT EXISTS (
      SELECT 1 FROM booking b WHERE b.resource_id = r.id AND b.status IN ('confirmed', 'checked_out')
         AND tstzrange(b.starts_at, b.blocked_until, '[)') && tstzrange($3, $4, '[)'))
"""


async def _insert_with_savepoint(args: tuple) -> dict | None:
    """One attempt at one unit; a lost race rolls back to the savepoint, not the whole transaction."""
    await db.fetch("SAVEPOINT booking_attempt")
    try:
        row = await db.fetchone(INSERT_BOOKING, *args)
    except asyncpg.ExclusionViolationError:
        await db.fetch("ROLLBACK TO SAVEPOINT booking_attempt")
        return None
    await db.fetch("RELEASE SAVEPOINT booking_attempt")
    return row


def _check_may_book_for(actor: CurrentUser, user_id: int) -> None:
    if user_id != actor.id and not actor.is_staff:
        raise Forbidden("Only staff book for someone else.", code="not_allowed_for_others")


async def create_booking(*, actor: CurrentUser, user_id: int, starts_at: datetime, ends_at: datetime,
                         resource_id: int | None = None, site: str | None = None, kind: str | None = None,
                         purpose: str = "", enforce_policy: bool = True, now: datetime | None = None,
                         resource_tag: str | None = None) -> dict:
    """Book one unit, or any free unit of a kind at a site (least used first, next one on a lost race).

    Every rule is checked inside the write transaction; the exclusion constraint stays the guarantee
    (409 booking_conflict). enforce_policy=False is the staff override: it skips the policy, never
    the constraint, the item's status or the order of the times. resource_tag may stand for
    resource_id (the API passes the tag, saving a lookup).
    """
    check_order(starts_at, ends_at)
    _check_may_book_for(actor, user_id)
    if not enforce_policy and not actor.is_staff:
        raise Forbidden("Only staff may override the booking rules.", code="override_not_allowed")
    if resource_id is None and resource_tag is None and (site is None or kind is None):
        raise InvalidInput("Give a resource, or a site and a kind.", code="resource_required")
    now = now or _now()

    first, last = _dates_concerned(starts_at, ends_at, now)
    async with DB.transaction():
        if resource_id is not None or resource_tag is not None:
            context = await queries.resource_context(resource_id if resource_id is not None else resource_tag,
                                                     first, last)
            if context is None:
                raise NotFound(f"No item {resource_tag or resource_id}.",
                               code="unknown_tag" if resource_id is None else "unknown_resource")
            resource, site_row, policy, calendar = context
            user = await _lock_user(user_id, now, resource_id=resource["id"])
            check_resource_status(resource["status"])
            if enforce_policy:
                await _check_policy(user=user, calendar=calendar, kind=resource["kind"], policy=policy,
                                    starts_at=starts_at, ends_at=ends_at, now=now)
            try:
                # One unit, one attempt: a conflict ends the transaction, so no savepoint is needed.
                row = await db.fetchone(INSERT_BOOKING, resource["id"], resource["site_id"], resource["kind"], user_id,
                                        actor.id, starts_at, ends_at, ends_at + policy.buffer, purpose)
            except asyncpg.ExclusionViolationError:
                raise BookingConflict(f"{resource['tag']} is already booked at that time.") from None
        else:
            kind = queries.require_kind(kind)
            site_row = await queries.require_site(site)
            policy = await queries.policy_for(site_row["id"], kind)
            user = await _lock_user(user_id, now, site_id=site_row["id"], kind=kind)
            if enforce_policy:
                calendar = await queries.calendar_for(site_row, first, last)
                await _check_policy(user=user, calendar=calendar, kind=kind, policy=policy,
                                    starts_at=starts_at, ends_at=ends_at, now=now)
            row = await _book_any_unit(site_row, kind, policy, user_id, actor.id, starts_at, ends_at, purpose, now)
    return queries.booking_out(row)


async def _book_any_unit(site: dict, kind: str, policy: Policy, user_id: int, actor_id: int, starts_at: datetime,
                         ends_at: datetime, purpose: str, now: datetime) -> dict:
    candidates = await db.fetch(FREE_UNITS, site["id"], kind, starts_at, ends_at + policy.buffer,
                                now - USAGE_WINDOW, now + USAGE_WINDOW)
    # Least used first; ties in random order, so simultaneous requests spread over the free units
    # instead of all racing for the first one.
    random.shuffle(candidates)
    candidates.sort(key=lambda row: row["recent_uses"])
    for unit in candidates:
        unit_policy = await queries.policy_for(site["id"], kind, unit["id"])
        row = await _insert_with_savepoint((
            unit["id"], site["id"], kind, user_id, actor_id, starts_at, ends_at,
            ends_at + unit_policy.buffer, purpose))
        if row is not None:
            return row
    raise BookingConflict(f"No {kind} is free at {site['slug']} at that time.")


async def cancel_booking(*, actor: CurrentUser, booking_id: int, now: datetime | None = None) -> dict:
    """Owner before the start, staff any time; anyone else sees no such booking. The freed slot
    goes to the first person waiting for it, in the same transaction."""
    from fablab.bookings.waitlist import offer_freed

    now = now or _now()
    async with DB.transaction():
        # The item first (shared), then the booking: the order the desk and booking paths follow,
        # so a cancellation that books a waiting person cannot deadlock with them.
        await db.fetch("SELECT 1 FROM resource WHERE id = (SELECT resource_id FROM booking WHERE id = $1) FOR SHARE",
                       booking_id)
        row = await db.fetchone(
            "SELECT id, user_id, resource_id, site_id, kind, starts_at, blocked_until, status FROM booking "
            "WHERE id = $1 FOR NO KEY UPDATE", booking_id)
        if row is None or (row["user_id"] != actor.id and not actor.is_staff):
            raise NotFound(f"No booking {booking_id}.", code="unknown_booking")
        if row["status"] != "confirmed":
            raise Conflict(f"This booking is {row['status']}; it cannot be cancelled.", code="not_cancellable",
                           booking_status=row["status"])
        if not actor.is_staff and row["starts_at"] <= now:
            raise Conflict("This booking has started; ask the desk to cancel it.", code="already_started")
        await db.fetch(
            "UPDATE booking SET status = 'cancelled', cancelled_at = $2, sequence = sequence + 1, updated_at = now() "
            "WHERE id = $1", booking_id, now)
        if row["blocked_until"] > now:
            await offer_freed(row, now)
        return queries.booking_out(await queries.booking(booking_id))


async def expire_no_shows(now: datetime | None = None) -> int:
    """Every site's overdue confirmed bookings become no_show (the periodic job)."""
    return await queries.sweep_no_shows(now or _now())


# -------------------------------------------------------------------------------------------
# Sites, closures, policies (admin)


async def update_site(*, slug: str, changes: dict) -> dict:
    site = await queries.require_site(slug)
    if "opening_hours" in changes:
        changes["opening_hours"] = json.dumps(opening_hours_json(parse_opening_hours(changes["opening_hours"])))
    if "timezone" in changes:
        try:
            from zoneinfo import ZoneInfo
            ZoneInfo(changes["timezone"])
        except (ValueError, KeyError, OSError):
            raise InvalidInput(f"Unknown time zone {changes['timezone']!r}.", code="invalid_timezone") from None
    if changes:
        columns = list(changes)
        assignments = ", ".join(
            f"{column} = ${i}::jsonb" if column == "opening_hours" else f"{column} = ${i}"
            for i, column in enumerate(columns, start=2))
        await db.fetch(f"UPDATE site SET {assignments}, updated_at = now() WHERE id = $1",
                       site["id"], *[changes[c] for c in columns])
    return await queries.require_site(slug)


async def add_closure(*, slug: str, starts_on: date, ends_on: date, reason: str, all_sites: bool) -> dict:
    if ends_on < starts_on:
        raise InvalidInput("ends_on must not be before starts_on.", code="invalid_dates")
    if (ends_on - starts_on).days > 366:
        raise InvalidInput("A closure lasts at most a year.", code="invalid_dates")
    site = await queries.require_site(slug)
    row = await db.fetchone(
        "INSERT INTO closure (site_id, starts_on, ends_on, reason) VALUES ($1, $2, $3, $4) "
        "RETURNING id, starts_on, ends_on, reason",
        None if all_sites else site["id"], starts_on, ends_on, reason)
    # Bookings already made for those days stay; staff see how many to call.
    affected = await db.fetchval(
        "SELECT count(*) FROM booking b JOIN site s ON s.id = b.site_id "
        "WHERE ($1::int IS NULL OR b.site_id = $1) AND b.status = 'confirmed' "
        "AND (b.starts_at AT TIME ZONE s.timezone)::date <= $3 AND (b.ends_at AT TIME ZONE s.timezone)::date >= $2",
        None if all_sites else site["id"], starts_on, ends_on)
    return {**row, "site": None if all_sites else site["slug"], "affected_bookings": affected}


async def delete_closure(closure_id: int) -> None:
    deleted = await db.fetchval("DELETE FROM closure WHERE id = $1 RETURNING id", closure_id)
    if deleted is None:
        raise NotFound(f"No closure {closure_id}.", code="unknown_closure")


async def _check_training(training_id: int | None) -> None:
    if training_id is not None and not await db.fetchval("SELECT 1 FROM training WHERE id = $1", training_id):
        raise InvalidInput(f"No training {training_id}.", code="unknown_training")


POLICY_FIELDS = tuple(asdict(Policy()).keys())


async def _upsert_policy(key: dict, conflict_target: str, policy: Policy) -> None:
    """Insert or replace the policy row identified by `key` (site and kind, plus the unit for an override)."""
    validate_policy(policy)
    await _check_training(policy.training_id)
    values = [*key.values(), *(getattr(policy, name) for name in POLICY_FIELDS)]
    columns = ", ".join([*key, *POLICY_FIELDS])
    placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in POLICY_FIELDS)
    await db.fetch(
        f"INSERT INTO policy ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT {conflict_target} DO UPDATE SET {updates}, updated_at = now()", *values)


async def put_policy(*, site: str, kind: str, policy: Policy) -> Policy:
    kind = queries.require_kind(kind)
    site_row = await queries.require_site(site)
    await _upsert_policy({"site_id": site_row["id"], "kind": kind}, "(site_id, kind) WHERE resource_id IS NULL", policy)
    return await queries.policy_for(site_row["id"], kind)


async def put_resource_policy(*, tag: str, policy: Policy) -> Policy:
    resource = await queries.resource_by_tag(tag)
    if resource is None:
        raise NotFound(f"No item with tag {tag}.", code="unknown_tag")
    await _upsert_policy({"site_id": resource["site_id"], "kind": resource["kind"], "resource_id": resource["id"]},
                         "(resource_id) WHERE resource_id IS NOT NULL", policy)
    return await queries.policy_for(resource["site_id"], resource["kind"], resource["id"])


async def delete_resource_policy(*, tag: str) -> None:
    resource = await queries.resource_by_tag(tag)
    if resource is None:
        raise NotFound(f"No item with tag {tag}.", code="unknown_tag")
    await db.fetch("DELETE FROM policy WHERE resource_id = $1", resource["id"])

