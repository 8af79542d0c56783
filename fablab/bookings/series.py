"""Recurring bookings: a series of ordinary bookings, each under the exclusion constraint.

Staff describe the rule (recurrence.WeeklyRule); every date gets an outcome: created, conflict
(someone holds the slot), or skipped (closure, public holiday, outside opening hours, past). With
conflicts, staff choose: create none (409 with the report) or all but the conflicting dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import asyncpg

from fablab import db
from fablab import scope as site_scope  # `scope` here is this/following/series
from fablab.accounts.current import CurrentUser
from fablab.bookings import queries
from fablab.bookings.recurrence import WeeklyRule
from fablab.bookings.rules import (
    SiteCalendar, check_booking, check_order, check_override_bounds, check_resource_status, holiday_dates, local_moment,
)
from fablab.bookings.service import FREE_UNITS, UNIT_INSERT_LOCK, USAGE_WINDOW
from fablab.db import DB
from fablab.errors import Conflict, Forbidden, InvalidInput, NotFound, PolicyViolation
from fablab.sites import queries as site_queries

ON_CONFLICT = ("none", "all_but_conflicts")
SCOPES = ("this", "following", "series")
SKIPPED = ("closure", "holiday", "outside_opening_hours", "past")
# A series starts around now: a first day years away is a typo (and would overflow the calendar).
MAX_DISTANCE = timedelta(days=730)


class SeriesConflicts(Conflict):
    code, title = "series_conflicts", "Some dates of the series are taken"


@dataclass
class Occurrence:
    day: date
    starts_at: datetime
    ends_at: datetime
    outcome: str = "created"          # or "conflict", or one of SKIPPED
    detail: str = ""
    bookings: list[int] = field(default_factory=list)

    def out(self) -> dict:
        return {"date": self.day.isoformat(), "starts_at": self.starts_at, "ends_at": self.ends_at,
                "outcome": self.outcome, "detail": self.detail, "bookings": self.bookings}


class _DryRun(Exception):
    """Leaves the transaction so that nothing planned is kept."""


INSERT_SERIES = """
INSERT INTO booking_series (site_id, kind, resource_id, quantity, user_id, created_by_id, purpose, rule)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING id
"""

# Takes the unit's insert lock first, as a single booking's INSERT does (service.INSERT_BOOKING):
# a learner booking the same unit meanwhile waits for the series instead of deadlocking with it
# in the exclusion check.
INSERT_OCCURRENCE = f"""
INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until,
                     purpose, series_id, occurrence_date)
SELECT $1::int, $2::int, $3::text, $4::int, $5::int, $6::timestamptz, $7::timestamptz, $8::timestamptz, $9::text,
       $10::bigint, $11::date
FROM (SELECT pg_advisory_xact_lock({UNIT_INSERT_LOCK}, $1::int)) AS unit_lock
RETURNING id
"""

# Who holds the slot, for the conflict report staff read.
HOLDER = """
SELECT b.id, b.purpose, u.name FROM booking b LEFT JOIN app_user u ON u.id = b.user_id
WHERE b.resource_id = $1 AND b.status IN ('confirmed', 'checked_out')
  AND tstzrange(b.starts_at, b.blocked_until, '[)') && tstzrange($2, $3, '[)')
ORDER BY b.starts_at LIMIT 1
"""

UNIT_OF_TAG = """
SELECT r.id, r.tag, r.kind, r.status, s.slug FROM resource r JOIN site s ON s.id = r.site_id
WHERE upper(r.tag) = upper($1)
"""


async def _site_calendar(site: dict, days: list[date]) -> tuple[SiteCalendar, dict[date, str], dict[date, str]]:
    """The calendar over the series' dates, with why each closed date is closed."""
    first, last = days[0], days[-1]
    closure_rows = await site_queries.closures(site["id"], first, last)
    closed_by: dict[date, str] = {}
    for row in closure_rows:
        day = max(row["starts_on"], first)
        while day <= min(row["ends_on"], last):
            closed_by.setdefault(day, row["reason"] or "fermeture")
            day += timedelta(days=1)
    holidays = {day: name for day, name in holiday_dates(range(first.year, last.year + 1)).items()
                if first <= day <= last}
    calendar = SiteCalendar.build(timezone_name=site["timezone"], opening_hours=site["opening_hours"],
                                  closures=[(row["starts_on"], row["ends_on"]) for row in closure_rows],
                                  years=list(range(first.year, last.year + 1)))
    return calendar, closed_by, holidays


def _plan(rule: WeeklyRule, calendar: SiteCalendar, closed_by: dict, holidays: dict, now: datetime) -> list[Occurrence]:
    out = []
    for day in rule.dates():
        occurrence = Occurrence(day, local_moment(day, rule.start_time, calendar.tz),
                                local_moment(day, rule.end_time, calendar.tz))
        span = calendar.interval_containing(occurrence.starts_at)
        if day in closed_by:
            occurrence.outcome, occurrence.detail = "closure", closed_by[day]
        elif day in holidays:
            occurrence.outcome, occurrence.detail = "holiday", holidays[day]
        elif span is None or occurrence.ends_at > span[1]:
            occurrence.outcome, occurrence.detail = "outside_opening_hours", "Le site est fermé à ces heures."
        elif occurrence.starts_at <= now:
            occurrence.outcome, occurrence.detail = "past", "Date passée."
        out.append(occurrence)
    return out


async def _holder_text(resource_id: int, starts_at: datetime, ends_at: datetime) -> str:
    holder = await db.fetchone(HOLDER, resource_id, starts_at, ends_at)
    if holder is None:
        return "Déjà réservé."
    # Who and why, in words: the booking's id means nothing to the person reading the report.
    details = ", ".join(part for part in (holder["name"], holder["purpose"]) if part)
    return f"Déjà réservé ({details})." if details else "Déjà réservé."


async def _book_unit(occurrence: Occurrence, unit: dict, buffer: timedelta, common: tuple) -> bool:
    user_id, actor_id, purpose, series_id, site_id, kind = common
    try:
        booking_id = await db.fetchval(
            INSERT_OCCURRENCE, unit["id"], site_id, kind, user_id, actor_id, occurrence.starts_at,
            occurrence.ends_at, occurrence.ends_at + buffer, purpose, series_id, occurrence.day)
    except asyncpg.ExclusionViolationError:
        return False
    occurrence.bookings.append(booking_id)
    return True


async def _book_occurrence(occurrence: Occurrence, *, unit: dict | None, quantity: int, site: dict, kind: str,
                           common: tuple, now: datetime) -> None:
    """All the units the date needs, or none of them (a savepoint per date)."""
    await db.fetch("SAVEPOINT series_date")
    if unit is not None:
        policy = await site_queries.policy_for(site["id"], kind, unit["id"])
        booked = await _book_unit(occurrence, unit, policy.buffer, common)
        if not booked:
            await db.fetch("ROLLBACK TO SAVEPOINT series_date")
            occurrence.outcome = "conflict"
            occurrence.detail = await _holder_text(unit["id"], occurrence.starts_at,
                                                   occurrence.ends_at + policy.buffer)
            return
    else:
        policy = await site_queries.policy_for(site["id"], kind)
        free = await db.fetch(FREE_UNITS, site["id"], kind, occurrence.starts_at, occurrence.ends_at + policy.buffer,
                              now - USAGE_WINDOW, now + USAGE_WINDOW)
        free.sort(key=lambda row: (row["recent_uses"], row["tag"]))
        for candidate in free:
            if len(occurrence.bookings) == quantity:
                break
            unit_policy = await site_queries.policy_for(site["id"], kind, candidate["id"])
            await db.fetch("SAVEPOINT series_unit")
            if await _book_unit(occurrence, candidate, unit_policy.buffer, common):
                await db.fetch("RELEASE SAVEPOINT series_unit")
            else:
                await db.fetch("ROLLBACK TO SAVEPOINT series_unit")
        if len(occurrence.bookings) < quantity:
            await db.fetch("ROLLBACK TO SAVEPOINT series_date")
            occurrence.outcome = "conflict"
            occurrence.detail = f"{len(occurrence.bookings)} sur {quantity} libre(s)."
            occurrence.bookings = []
            return
    await db.fetch("RELEASE SAVEPOINT series_date")


async def _target(resource_tag: str | None, site_slug: str | None, kind: str | None, quantity: int
                  ) -> tuple[dict | None, dict, str]:
    if resource_tag is not None:
        if quantity != 1:
            raise InvalidInput("quantity is for a kind at a site; one unit is one unit.", code="invalid_quantity")
        unit = await db.fetchone(UNIT_OF_TAG, resource_tag)
        if unit is None:
            raise NotFound(f"No item {resource_tag}.", code="unknown_tag")
        check_resource_status(unit["status"])
        return unit, await site_queries.require_site(unit["slug"]), unit["kind"]
    if site_slug is None or kind is None:
        raise InvalidInput("Give a resource, or a site and a kind.", code="resource_required")
    kind = site_queries.require_kind(kind)
    return None, await site_queries.require_site(site_slug), kind


async def create_series(*, actor: CurrentUser, user_id: int, rule: WeeklyRule, resource_tag: str | None = None,
                        site: str | None = None, kind: str | None = None, quantity: int = 1, purpose: str = "",
                        on_conflict: str = "none", dry_run: bool = False, now: datetime | None = None) -> dict:
    """Plan every date, then create the series atomically, or all but the conflicting dates."""
    if not actor.is_staff:
        raise Forbidden("Only staff create recurring bookings.", code="staff_only")
    if on_conflict not in ON_CONFLICT:
        raise InvalidInput(f"on_conflict is one of {', '.join(ON_CONFLICT)}.", code="invalid_on_conflict")
    now = now or datetime.now(timezone.utc)
    if abs(rule.first_day - now.date()) > MAX_DISTANCE:
        raise InvalidInput(f"first_day must be within {MAX_DISTANCE.days} days of today.", code="invalid_dates")
    unit, site_row, kind = await _target(resource_tag, site, kind, quantity)
    site_scope.require_site(actor, site_row["id"], "This site")
    await site_scope.require_person_id(actor, user_id)
    days = rule.dates()
    calendar, closed_by, holidays = await _site_calendar(site_row, days)
    plan = _plan(rule, calendar, closed_by, holidays, now)
    if not any(occurrence.outcome == "created" for occurrence in plan):
        raise InvalidInput("No date of this series can be booked (closed, holidays or past).",
                           code="no_occurrences", occurrences=[occurrence.out() for occurrence in plan])
    try:
        async with DB.transaction():
            if not await db.fetchval("SELECT active FROM app_user WHERE id = $1", user_id):
                raise NotFound(f"No active user {user_id}.", code="unknown_user")
            if unit is not None:
                # The same lock a single booking takes: a status change waits for the series.
                await db.fetch("SELECT 1 FROM resource WHERE id = $1 FOR SHARE", unit["id"])
            series_id = await db.fetchval(INSERT_SERIES, site_row["id"], kind, unit["id"] if unit else None,
                                          quantity, user_id, actor.id, purpose, json.dumps(rule.as_json()))
            common = (user_id, actor.id, purpose, series_id, site_row["id"], kind)
            for occurrence in plan:
                if occurrence.outcome == "created":
                    await _book_occurrence(occurrence, unit=unit, quantity=quantity, site=site_row, kind=kind,
                                           common=common, now=now)
            # A dry run is a preview: it reports the conflicts (200) rather than refusing.
            if dry_run:
                raise _DryRun()
            report = [occurrence.out() for occurrence in plan]
            conflicts = [occurrence for occurrence in plan if occurrence.outcome == "conflict"]
            if conflicts and on_conflict == "none":
                raise SeriesConflicts(
                    f"{len(conflicts)} date(s) taken: {', '.join(o.day.isoformat() for o in conflicts)}. "
                    "Nothing was created; choose all_but_conflicts to book the other dates.",
                    occurrences=report)
            if not any(occurrence.bookings for occurrence in plan):
                raise SeriesConflicts("Every date is taken; nothing was created.", occurrences=report)
    except _DryRun:
        preview = _summary(plan)
        for occurrence in preview["occurrences"]:
            occurrence["bookings"] = []  # rolled back: those ids do not exist
        return {"series": None, "dry_run": True, **preview}
    return {"series": await series_out(series_id), "dry_run": False, **_summary(plan)}


def _summary(plan: list[Occurrence]) -> dict:
    created = [o for o in plan if o.outcome == "created"]
    return {"occurrences": [o.out() for o in plan],
            "created": sum(len(o.bookings) for o in created),
            "conflicts": [o.day.isoformat() for o in plan if o.outcome == "conflict"],
            "skipped": [o.day.isoformat() for o in plan if o.outcome in SKIPPED]}


SERIES_SELECT = """
SELECT bs.id, bs.site_id, s.slug AS site, bs.kind, r.tag AS resource, bs.quantity, bs.purpose, bs.rule::text AS rule,
       bs.created_at, bs.cancelled_at, bs.user_id, u.login AS user_login, u.name AS user_name
FROM booking_series bs JOIN site s ON s.id = bs.site_id LEFT JOIN resource r ON r.id = bs.resource_id
LEFT JOIN app_user u ON u.id = bs.user_id
WHERE bs.id = $1
"""


async def series_out(series_id: int, *, actor: CurrentUser | None = None) -> dict:
    """actor: the staff asking (the series names its learner: their sites only); None when the
    caller has checked already."""
    row = await db.fetchone(SERIES_SELECT, series_id)
    if row is None:
        raise NotFound(f"No series {series_id}.", code="unknown_series")
    if actor is not None:
        site_scope.require_site(actor, row["site_id"], "This series")
    occurrences = await db.fetch(
        f"{queries.BOOKING_SELECT} WHERE b.series_id = $1 ORDER BY b.starts_at, b.id", series_id)
    return {
        "id": row["id"], "site": row["site"], "kind": row["kind"], "resource": row["resource"],
        "quantity": row["quantity"], "purpose": row["purpose"], "rule": json.loads(row["rule"]),
        "created_at": row["created_at"], "cancelled_at": row["cancelled_at"],
        "user": None if row["user_id"] is None else {"id": row["user_id"], "login": row["user_login"],
                                                      "name": row["user_name"]},
        "bookings": [queries.booking_out(booking) for booking in occurrences],
    }


# -------------------------------------------------------------------------------------------
# This occurrence, this and following, the whole series


async def _occurrences_in_scope(booking_id: int, scope: str, actor: CurrentUser, *,
                                desk_only: bool) -> tuple[dict, list[int]]:
    """The booking, and the ids of the not-yet-started confirmed bookings the scope covers.
    desk_only: staff work (an edit), on the staff's sites even for their own booking."""
    if scope not in SCOPES:
        raise InvalidInput(f"scope is one of {', '.join(SCOPES)}.", code="invalid_scope")
    row = await db.fetchone("SELECT id, user_id, site_id, series_id, occurrence_date FROM booking WHERE id = $1",
                            booking_id)
    if row is None or (row["user_id"] != actor.id and not actor.is_staff):
        raise NotFound(f"No booking {booking_id}.", code="unknown_booking")
    if desk_only or row["user_id"] != actor.id:
        site_scope.require_site(actor, row["site_id"], "This booking")
    if scope == "this":
        return row, [booking_id]
    if row["series_id"] is None:
        raise InvalidInput("This booking is not part of a series.", code="not_in_series")
    ids = await db.fetch(
        "SELECT id FROM booking WHERE series_id = $1 AND status = 'confirmed' AND starts_at > now() "
        "AND ($2::date IS NULL OR occurrence_date >= $2) ORDER BY id",
        row["series_id"], row["occurrence_date"] if scope == "following" else None)
    return row, [r["id"] for r in ids]


async def _lock_in_order(ids: list[int]) -> list[dict]:
    """Items first (shared), then bookings, both in id order: the order every writer follows."""
    await db.fetch("SELECT 1 FROM resource WHERE id IN (SELECT resource_id FROM booking WHERE id = ANY($1::bigint[])) "
                   "ORDER BY id FOR SHARE", ids)
    return await db.fetch(
        "SELECT id, resource_id, site_id, kind, starts_at, ends_at, blocked_until, status, occurrence_date "
        "FROM booking WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE", ids)


async def _check_new_times(booking: dict, site: dict, starts_at: datetime, ends_at: datetime, now: datetime, *,
                           override_policy: bool, in_series: bool) -> None:
    """What creating the booking at its new times would check: one booking, the unit's rules; an
    occurrence moved with its series, what planning a series checks (open then, not past, not years
    away: a series may reach past the rules' horizon); with override_policy, only the bounds."""
    check_override_bounds(starts_at, ends_at, now)
    if override_policy:
        return
    first = min(starts_at, now).date() - timedelta(days=1)
    last = max(ends_at, now).date() + timedelta(days=1)
    calendar = await site_queries.calendar_for(site, first, last)
    if in_series:
        span = calendar.interval_containing(starts_at)
        if span is None or ends_at > span[1]:
            raise PolicyViolation("The site is closed at these times.", code="outside_opening_hours",
                                  day=calendar.local_date(starts_at).isoformat())
        return
    policy = await site_queries.policy_for(booking["site_id"], booking["kind"], booking["resource_id"])
    check_booking(starts_at=starts_at, ends_at=ends_at, policy=policy, calendar=calendar, now=now)


async def cancel_occurrences(*, actor: CurrentUser, booking_id: int, scope: str,
                             now: datetime | None = None) -> dict:
    """Cancel the scope's confirmed occurrences that have not started; each freed slot goes to the
    waitlist in the same transaction."""
    from fablab.bookings import service, waitlist

    if scope == "this":
        return {"cancelled": [await service.cancel_booking(actor=actor, booking_id=booking_id, now=now)]}
    now = now or datetime.now(timezone.utc)
    row, ids = await _occurrences_in_scope(booking_id, scope, actor, desk_only=False)
    async with DB.transaction():
        locked = [b for b in await _lock_in_order(ids) if b["status"] == "confirmed" and b["starts_at"] > now]
        done = [b["id"] for b in locked]
        await db.fetch(
            "UPDATE booking SET status = 'cancelled', cancelled_at = $2, sequence = sequence + 1, updated_at = now() "
            "WHERE id = ANY($1::bigint[])", done, now)
        if scope == "series":
            await db.fetch("UPDATE booking_series SET cancelled_at = $2 WHERE id = $1", row["series_id"], now)
        for booking in locked:
            await waitlist.offer_freed(booking, now)
        rows = await db.fetch(f"{queries.BOOKING_SELECT} WHERE b.id = ANY($1::bigint[]) ORDER BY b.starts_at", done)
    return {"cancelled": [queries.booking_out(r) for r in rows]}


async def edit_occurrences(*, actor: CurrentUser, booking_id: int, scope: str, start_time=None, end_time=None,
                           starts_at: datetime | None = None, ends_at: datetime | None = None,
                           purpose: str | None = None, override_policy: bool = False,
                           now: datetime | None = None) -> dict:
    """Move the scope's occurrences to new times of day (or this one to new instants), or rename
    them; all or nothing: one taken date refuses the whole edit with the per-date report.

    Each new time passes the checks of a new booking (the unit's rules, or with override_policy
    only the bounds no override skips: an offset, not in the past, not years away)."""
    if not actor.is_staff:
        raise Forbidden("Only staff edit bookings.", code="staff_only")
    now = now or datetime.now(timezone.utc)
    if (starts_at is None) != (ends_at is None):
        raise InvalidInput("Give both starts_at and ends_at.", code="times_required")
    if starts_at is not None:
        check_order(starts_at, ends_at)  # offsets before any comparison (naive and aware do not compare)
    if starts_at is not None and scope != "this":
        raise InvalidInput("New instants move one occurrence; for a series give start_time and end_time.",
                           code="invalid_scope")
    if (start_time is None) != (end_time is None):
        raise InvalidInput("Give both start_time and end_time.", code="times_required")
    if starts_at is None and start_time is None and purpose is None:
        raise InvalidInput("Nothing to change.", code="nothing_to_change")
    if start_time is not None and end_time <= start_time:
        raise InvalidInput("end_time must be after start_time.", code="ends_before_start")
    if starts_at is not None and ends_at <= starts_at:
        raise InvalidInput("ends_at must be after starts_at.", code="ends_before_start")
    _, ids = await _occurrences_in_scope(booking_id, scope, actor, desk_only=True)
    report, changed = [], []
    sites: dict[int, dict] = {}  # the scope's bookings share a site, but one query per site at most
    async with DB.transaction():
        locked = await _lock_in_order(ids)
        # The units' insert locks, in id order (unnest keeps the array's), before moving anything:
        # a booking of one of these units then waits for the edit instead of deadlocking with it
        # in the exclusion check.
        await db.fetch(f"SELECT pg_advisory_xact_lock({UNIT_INSERT_LOCK}, unit) FROM unnest($1::int[]) AS unit",
                       sorted({booking["resource_id"] for booking in locked}))
        if scope == "this" and (not locked or locked[0]["status"] != "confirmed" or locked[0]["starts_at"] <= now):
            raise Conflict("Only a confirmed booking that has not started can be edited.", code="not_editable")
        for booking in locked:
            if booking["status"] != "confirmed" or booking["starts_at"] <= now:
                continue
            new_start, new_end = booking["starts_at"], booking["ends_at"]
            if booking["site_id"] not in sites:
                sites[booking["site_id"]] = await site_queries.site_by_id(booking["site_id"])
            site = sites[booking["site_id"]]
            if starts_at is not None:
                new_start, new_end = starts_at, ends_at
            elif start_time is not None:
                tz = ZoneInfo(site["timezone"])
                day = booking["occurrence_date"] or booking["starts_at"].astimezone(tz).date()
                new_start, new_end = local_moment(day, start_time, tz), local_moment(day, end_time, tz)
            if (new_start, new_end) != (booking["starts_at"], booking["ends_at"]):
                await _check_new_times(booking, site, new_start, new_end, now,
                                       override_policy=override_policy, in_series=starts_at is None)
            buffer = booking["blocked_until"] - booking["ends_at"]
            await db.fetch("SAVEPOINT series_edit")
            try:
                await db.fetch(
                    "UPDATE booking SET starts_at = $2, ends_at = $3, blocked_until = $4, "
                    "purpose = coalesce($5, purpose), sequence = sequence + 1, updated_at = now() WHERE id = $1",
                    booking["id"], new_start, new_end, new_end + buffer, purpose)
            except asyncpg.ExclusionViolationError:
                await db.fetch("ROLLBACK TO SAVEPOINT series_edit")
                report.append({"booking": booking["id"], "starts_at": new_start, "ends_at": new_end,
                               "outcome": "conflict",
                               "detail": await _holder_text(booking["resource_id"], new_start, new_end + buffer)})
                continue
            await db.fetch("RELEASE SAVEPOINT series_edit")
            changed.append(booking["id"])
            report.append({"booking": booking["id"], "starts_at": new_start, "ends_at": new_end, "outcome": "changed",
                           "detail": ""})
        if any(item["outcome"] == "conflict" for item in report):
            raise SeriesConflicts("Some new times are taken; nothing was changed.", occurrences=report)
        rows = await db.fetch(f"{queries.BOOKING_SELECT} WHERE b.id = ANY($1::bigint[]) ORDER BY b.starts_at", changed)
    return {"changed": [queries.booking_out(r) for r in rows]}

