"""Moving bookings: one to new instants, or the occurrences of its series to new times of day.

All or nothing: one taken date refuses the whole edit with the per-date report. The scope of an
edit (this, this and the following occurrences, the whole series) is also what a cancellation
by series reaches (series.service).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from fablab.domain import clock, codes
from fablab.accounts import scope as site_scope  # `scope` here is this/following/series
from fablab.accounts.current import CurrentUser
from fablab.bookings import queries
from fablab.bookings import changes as booking_changes, units as booking_units
from fablab.bookings.rules import check_booking, check_order, check_override_bounds
from fablab.sites.calendar import local_moment
from fablab.bookings.schemas import ChangedOut
from fablab.platform.db import DB
from fablab.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, PolicyViolation
from fablab.sites import queries as site_queries

SCOPES = ("this", "following", "series")


class SeriesConflicts(Conflict):
    code, title = codes.SERIES_CONFLICTS, "Some dates of the series are taken"


def holder_text(holder: dict | None) -> str:
    """Who holds a taken slot, in words: the booking's id means nothing to the person reading."""
    if holder is None:
        return "Déjà réservé."
    details = ", ".join(part for part in (holder["name"], holder["purpose"]) if part)
    return f"Déjà réservé ({details})." if details else "Déjà réservé."


async def occurrences_in_scope(booking_id: int, scope: str, actor: CurrentUser, *,
                                desk_only: bool) -> tuple[dict, list[int]]:
    """The booking, and the ids of the not-yet-started confirmed bookings the scope covers.
    desk_only: staff work (an edit), on the staff's sites even for their own booking."""
    if scope not in SCOPES:
        raise InvalidInput(f"scope is one of {', '.join(SCOPES)}.", code=codes.INVALID_SCOPE)
    row = await queries.booking_in_series(booking_id)
    # Another site's booking answers as one that does not exist (issue 26).
    if row is None or (row["user_id"] != actor.id and not site_scope.acts_for_site(actor, row["site_id"])):
        raise NotFound(f"No booking {booking_id}.", code=codes.UNKNOWN_BOOKING)
    if desk_only:
        site_scope.require_site(actor, row["site_id"], "This booking")
    if scope == "this":
        return row, [booking_id]
    if row["series_id"] is None:
        raise InvalidInput("This booking is not part of a series.", code=codes.NOT_IN_SERIES)
    return row, await queries.occurrence_ids(row["series_id"], row["occurrence_date"] if scope == "following" else None)


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
            raise PolicyViolation("The site is closed at these times.", code=codes.OUTSIDE_OPENING_HOURS,
                                  day=calendar.local_date(starts_at).isoformat())
        return
    policy = await site_queries.policy_for(booking["site_id"], booking["kind"], booking["resource_id"])
    check_booking(starts_at=starts_at, ends_at=ends_at, policy=policy, calendar=calendar, now=now)


def _check_edit(*, scope: str, starts_at: datetime | None, ends_at: datetime | None, start_time: time | None,
                end_time: time | None, purpose: str | None) -> None:
    """The edit's own consistency, before anything is read."""
    if (starts_at is None) != (ends_at is None):
        raise InvalidInput("Give both starts_at and ends_at.", code=codes.TIMES_REQUIRED)
    if starts_at is not None:
        check_order(starts_at, ends_at)  # offsets before any comparison (naive and aware do not compare)
    if starts_at is not None and scope != "this":
        raise InvalidInput("New instants move one occurrence; for a series give start_time and end_time.",
                           code=codes.INVALID_SCOPE)
    if (start_time is None) != (end_time is None):
        raise InvalidInput("Give both start_time and end_time.", code=codes.TIMES_REQUIRED)
    if starts_at is None and start_time is None and purpose is None:
        raise InvalidInput("Nothing to change.", code=codes.NOTHING_TO_CHANGE)
    if start_time is not None and end_time <= start_time:
        raise InvalidInput("end_time must be after start_time.", code=codes.ENDS_BEFORE_START)
    if starts_at is not None and ends_at <= starts_at:
        raise InvalidInput("ends_at must be after starts_at.", code=codes.ENDS_BEFORE_START)


def _new_times(booking: dict, site: dict, *, starts_at: datetime | None, ends_at: datetime | None,
               start_time: time | None, end_time: time | None) -> tuple[datetime, datetime]:
    """Where the edit moves this booking: to new instants, to new times of its day, or nowhere."""
    if starts_at is not None:
        return starts_at, ends_at
    if start_time is not None:
        tz = ZoneInfo(site["timezone"])
        day = booking["occurrence_date"] or booking["starts_at"].astimezone(tz).date()
        return local_moment(day, start_time, tz), local_moment(day, end_time, tz)
    return booking["starts_at"], booking["ends_at"]


async def _move_one(booking: dict, site: dict, new_start: datetime, new_end: datetime, *, purpose: str | None,
                    override_policy: bool, in_series: bool, now: datetime) -> dict:
    """Check and move one locked booking; its line of the edit's report."""
    if (new_start, new_end) != (booking["starts_at"], booking["ends_at"]):
        await _check_new_times(booking, site, new_start, new_end, now, override_policy=override_policy,
                               in_series=in_series)
    buffer = booking["blocked_until"] - booking["ends_at"]
    line = {"booking": booking["id"], "starts_at": new_start, "ends_at": new_end, "outcome": "changed", "detail": ""}
    if not await booking_changes.move_booking(booking_id=booking["id"], starts_at=new_start, ends_at=new_end,
                                       blocked_until=new_end + buffer, purpose=purpose):
        holder = await queries.holder(booking["resource_id"], new_start, new_end + buffer)
        line.update(outcome="conflict", detail=holder_text(holder))
    return line


async def edit_occurrences(*, actor: CurrentUser, booking_id: int, scope: str, start_time: time | None = None,
                           end_time: time | None = None, starts_at: datetime | None = None,
                           ends_at: datetime | None = None, purpose: str | None = None, override_policy: bool = False,
                           now: datetime | None = None) -> ChangedOut:
    """Move the scope's occurrences to new times of day (or this one to new instants), or rename
    them; all or nothing: one taken date refuses the whole edit with the per-date report.

    Each new time passes the checks of a new booking (the unit's rules, or with override_policy
    only the bounds no override skips: an offset, not in the past, not years away)."""
    if not actor.is_staff:
        raise Forbidden("Only staff edit bookings.", code=codes.STAFF_ONLY)
    now = now or clock.now()
    _check_edit(scope=scope, starts_at=starts_at, ends_at=ends_at, start_time=start_time, end_time=end_time,
                purpose=purpose)
    _, ids = await occurrences_in_scope(booking_id, scope, actor, desk_only=True)
    report = []
    sites: dict[int, dict] = {}  # the scope's bookings share a site, but one query per site at most
    async with DB.transaction():
        locked = await booking_changes.lock_for_change(ids)
        await booking_units.hold_insert_locks([booking["resource_id"] for booking in locked])
        if scope == "this" and (not locked or locked[0]["status"] != "confirmed" or locked[0]["starts_at"] <= now):
            raise Conflict("Only a confirmed booking that has not started can be edited.", code=codes.NOT_EDITABLE)
        for booking in locked:
            if booking["status"] != "confirmed" or booking["starts_at"] <= now:
                continue
            if booking["site_id"] not in sites:
                sites[booking["site_id"]] = await site_queries.site_by_id(booking["site_id"])
            site = sites[booking["site_id"]]
            new_start, new_end = _new_times(booking, site, starts_at=starts_at, ends_at=ends_at,
                                            start_time=start_time, end_time=end_time)
            report.append(await _move_one(booking, site, new_start, new_end, purpose=purpose,
                                          override_policy=override_policy, in_series=starts_at is None, now=now))
        if any(item["outcome"] == "conflict" for item in report):
            raise SeriesConflicts("Some new times are taken; nothing was changed.", occurrences=report)
        rows = await queries.bookings_by_ids([item["booking"] for item in report])
    return ChangedOut(changed=[queries.booking_out(r, now) for r in rows])
