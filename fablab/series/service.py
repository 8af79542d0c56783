"""Recurring bookings: a series of ordinary bookings, each under the exclusion constraint.

Staff describe the rule (recurrence.WeeklyRule); every date gets an outcome: created, conflict
(someone holds the slot), or skipped (closure, public holiday, outside opening hours, past). With
conflicts, staff choose: create none (409 with the report) or all but the conflicting dates.
The bookings themselves are written by the bookings package; slots a cancellation frees go to
the waitlist.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from fablab.domain import clock, codes
from fablab.platform import db
from fablab.accounts import scope as site_scope  # `scope` here is this/following/series
from fablab.accounts.current import CurrentUser
from fablab.bookings import queries as booking_queries
from fablab.bookings import changes as booking_changes, occurrences as booking_occurrences
from fablab.bookings.rules import check_resource_status
from fablab.sites.calendar import SiteCalendar, holiday_dates
from fablab.bookings.schemas import BookingOut
from fablab.bookings.edits import SeriesConflicts, holder_text, occurrences_in_scope
from fablab.bookings.occurrences import SeriesBooking
from fablab.platform.db import DB
from fablab.domain.errors import Forbidden, InvalidInput, NotFound
from fablab.series import queries
from fablab.series.plan import ON_CONFLICT, Occurrence, closed_days, plan, summary
from fablab.series.recurrence import WeeklyRule
from fablab.sites import queries as site_queries
from fablab.waitlist.service import offer_freed

# A series starts around now: a first day years away is a typo (and would overflow the calendar).
MAX_DISTANCE = timedelta(days=730)


class _DryRun(Exception):
    """Leaves the transaction so that nothing planned is kept."""


async def _site_calendar(site: dict, days: list[date]) -> tuple[SiteCalendar, dict[date, str], dict[date, str]]:
    """The calendar over the series' dates, with why each closed date is closed."""
    first, last = days[0], days[-1]
    closure_rows = await site_queries.closures(site["id"], first, last)
    holidays = {day: name for day, name in holiday_dates(range(first.year, last.year + 1)).items()
                if first <= day <= last}
    calendar = SiteCalendar.build(timezone_name=site["timezone"], opening_hours=site["opening_hours"],
                                  closures=[(row["starts_on"], row["ends_on"]) for row in closure_rows],
                                  years=list(range(first.year, last.year + 1)))
    return calendar, closed_days(closure_rows, first, last), holidays


async def _book_occurrence(occurrence: Occurrence, *, unit: dict | None, quantity: int, series: SeriesBooking,
                           now: datetime) -> None:
    """All the units the date needs, or none of them."""
    if unit is not None:
        policy = await site_queries.policy_for(series.site_id, series.kind, unit["id"])
        booking_id = await booking_occurrences.insert_occurrence(series=series, unit_id=unit["id"], buffer=policy.buffer,
                                                      day=occurrence.day, starts_at=occurrence.starts_at,
                                                      ends_at=occurrence.ends_at)
        if booking_id is None:
            occurrence.outcome = "conflict"
            occurrence.detail = holder_text(await booking_queries.holder(unit["id"], occurrence.starts_at,
                                                                 occurrence.ends_at + policy.buffer))
        else:
            occurrence.bookings.append(booking_id)
        return
    await db.fetch("SAVEPOINT series_date")
    booked = await booking_occurrences.insert_occurrences_of_kind(series=series, quantity=quantity, day=occurrence.day,
                                                       starts_at=occurrence.starts_at, ends_at=occurrence.ends_at,
                                                       now=now)
    if len(booked) < quantity:
        await db.fetch("ROLLBACK TO SAVEPOINT series_date")
        occurrence.outcome = "conflict"
        occurrence.detail = f"{len(booked)} sur {quantity} libre(s)."
        return
    await db.fetch("RELEASE SAVEPOINT series_date")
    occurrence.bookings.extend(booked)


async def _target(resource_tag: str | None, site_slug: str | None, kind: str | None, quantity: int
                  ) -> tuple[dict | None, dict, str]:
    if resource_tag is not None:
        if quantity != 1:
            raise InvalidInput("quantity is for a kind at a site; one unit is one unit.", code=codes.INVALID_QUANTITY)
        unit = await queries.unit_of_tag(resource_tag)
        if unit is None:
            raise NotFound(f"No item {resource_tag}.", code=codes.UNKNOWN_TAG)
        check_resource_status(unit["status"])
        return unit, await site_queries.require_site(unit["slug"]), unit["kind"]
    if site_slug is None or kind is None:
        raise InvalidInput("Give a resource, or a site and a kind.", code=codes.RESOURCE_REQUIRED)
    kind = site_queries.require_kind(kind)
    return None, await site_queries.require_site(site_slug), kind


async def create_series(*, actor: CurrentUser, user_id: int, rule: WeeklyRule, resource_tag: str | None = None,
                        site: str | None = None, kind: str | None = None, quantity: int = 1, purpose: str = "",
                        on_conflict: str = "none", dry_run: bool = False, now: datetime | None = None) -> dict:
    """Plan every date, then create the series atomically, or all but the conflicting dates."""
    if not actor.is_staff:
        raise Forbidden("Only staff create recurring bookings.", code=codes.STAFF_ONLY)
    if on_conflict not in ON_CONFLICT:
        raise InvalidInput(f"on_conflict is one of {', '.join(ON_CONFLICT)}.", code=codes.INVALID_ON_CONFLICT)
    now = now or clock.now()
    if abs(rule.first_day - now.date()) > MAX_DISTANCE:
        raise InvalidInput(f"first_day must be within {MAX_DISTANCE.days} days of today.", code=codes.INVALID_DATES)
    unit, site_row, kind = await _target(resource_tag, site, kind, quantity)
    site_scope.require_site(actor, site_row["id"], "This site")
    await site_scope.require_person_id(actor, user_id)
    calendar, closed_by, holidays = await _site_calendar(site_row, rule.dates())
    occurrences = plan(rule, calendar, closed_by, holidays, now)
    if not any(occurrence.outcome == "created" for occurrence in occurrences):
        raise InvalidInput("No date of this series can be booked (closed, holidays or past).",
                           code=codes.NO_OCCURRENCES, occurrences=[occurrence.out() for occurrence in occurrences])
    try:
        async with DB.transaction():
            series_id = await _book_series(occurrences, actor=actor, user_id=user_id, rule=rule, unit=unit,
                                           site=site_row, kind=kind, quantity=quantity, purpose=purpose, now=now)
            # A dry run is a preview: it reports the conflicts (200) rather than refusing.
            if dry_run:
                raise _DryRun()
            _refuse_conflicts(occurrences, on_conflict)
    except _DryRun:
        preview = summary(occurrences)
        for occurrence in preview["occurrences"]:
            occurrence["bookings"] = []  # rolled back: those ids do not exist
        return {"series": None, "dry_run": True, **preview}
    return {"series": await series_out(series_id), "dry_run": False, **summary(occurrences)}


async def _book_series(occurrences: list[Occurrence], *, actor: CurrentUser, user_id: int, rule: WeeklyRule,
                       unit: dict | None, site: dict, kind: str, quantity: int, purpose: str, now: datetime) -> int:
    """The series row and its planned dates' bookings, in the caller's transaction; the series id."""
    if not await queries.user_is_active(user_id):
        raise NotFound(f"No active user {user_id}.", code=codes.UNKNOWN_USER)
    if unit is not None:
        await db.fetch(queries.SHARE_UNIT, unit["id"])
    series_id = await queries.insert_series(site_id=site["id"], kind=kind, resource_id=unit["id"] if unit else None,
                                            quantity=quantity, user_id=user_id, created_by_id=actor.id,
                                            purpose=purpose, rule=rule.as_json())
    series = SeriesBooking(series_id=series_id, site_id=site["id"], kind=kind, user_id=user_id,
                           created_by_id=actor.id, purpose=purpose)
    for occurrence in occurrences:
        if occurrence.outcome == "created":
            await _book_occurrence(occurrence, unit=unit, quantity=quantity, series=series, now=now)
    return series_id


def _refuse_conflicts(occurrences: list[Occurrence], on_conflict: str) -> None:
    report = [occurrence.out() for occurrence in occurrences]
    conflicts = [occurrence for occurrence in occurrences if occurrence.outcome == "conflict"]
    if conflicts and on_conflict == "none":
        raise SeriesConflicts(
            f"{len(conflicts)} date(s) taken: {', '.join(o.day.isoformat() for o in conflicts)}. "
            "Nothing was created; choose all_but_conflicts to book the other dates.",
            occurrences=report)
    if not any(occurrence.bookings for occurrence in occurrences):
        raise SeriesConflicts("Every date is taken; nothing was created.", occurrences=report)


async def series_out(series_id: int, *, actor: CurrentUser | None = None) -> dict:
    """actor: the staff asking (the series names its learner: their sites only); None when the
    caller has checked already."""
    row = await queries.series_row(series_id)
    if row is None:
        raise NotFound(f"No series {series_id}.", code=codes.UNKNOWN_SERIES)
    if actor is not None:
        site_scope.require_site(actor, row["site_id"], "This series")
    occurrences = await queries.bookings_of_series(series_id)
    return {
        "id": row["id"], "site": row["site"], "kind": row["kind"], "resource": row["resource"],
        "quantity": row["quantity"], "purpose": row["purpose"], "rule": json.loads(row["rule"]),
        "created_at": row["created_at"], "cancelled_at": row["cancelled_at"],
        "user": None if row["user_id"] is None else {"id": row["user_id"], "login": row["user_login"],
                                                      "name": row["user_name"]},
        "bookings": [booking_queries.booking_out(booking) for booking in occurrences],
    }


# -------------------------------------------------------------------------------------------
# This occurrence, this and following, the whole series


async def cancel_one(*, actor: CurrentUser, booking_id: int, now: datetime | None = None) -> BookingOut:
    """Cancel one booking (booking_changes.cancel_booking's rules); the slot it frees goes to the first
    person waiting for it, in the same transaction."""
    now = now or clock.now()
    async with DB.transaction():
        cancelled = await booking_changes.cancel_booking(actor=actor, booking_id=booking_id, now=now)
        await offer_freed(cancelled.freed, now)
    return cancelled.booking


async def cancel_occurrences(*, actor: CurrentUser, booking_id: int, scope: str,
                             now: datetime | None = None) -> dict:
    """Cancel the scope's confirmed occurrences that have not started; each freed slot goes to the
    waitlist in the same transaction."""
    if scope == "this":
        return {"cancelled": [await cancel_one(actor=actor, booking_id=booking_id, now=now)]}
    now = now or clock.now()
    row, ids = await occurrences_in_scope(booking_id, scope, actor, desk_only=False)
    async with DB.transaction():
        locked = [b for b in await booking_changes.lock_for_change(ids) if b["status"] == "confirmed" and b["starts_at"] > now]
        freed = await booking_changes.cancel_locked(actor=actor, bookings=locked, now=now)
        if scope == "series":
            await queries.mark_cancelled(row["series_id"], now)
        for slot in freed:
            await offer_freed(slot, now)
        rows = await booking_queries.bookings_by_ids([b["id"] for b in locked])
    return {"cancelled": [booking_queries.booking_out(r) for r in rows]}
