"""Waitlists: "tell me when one frees", first come, first served.

A freed slot (cancellation, early return, no-show) is offered to the waiting entries in id order,
inside the transaction that freed it; the periodic job offers whatever is free to everyone still
waiting (slots the lazy no-show sweeps freed, entries whose refusal no longer holds). An offer is
a real booking through create_booking, every rule checked: a refusal (training, quota) records
why and passes to the next person, who may take the slot; the refused entry keeps its place.

Entries are locked one at a time with SKIP LOCKED: two transactions freeing two units at once
serve two different people instead of waiting on each other, and an entry never serves twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.bookings import queries
from fablab.bookings.rules import check_booking, check_resource_status
from fablab.bookings.changes import Freed
from fablab.bookings.create import booker_refusal, create_booking
from fablab.platform.db import DB, NOW
from fablab.domain.errors import BookingConflict, Conflict, DomainError, Forbidden, InvalidInput, NotFound, PolicyViolation
from fablab.sites import queries as site_queries
from fablab.tables import Resource, WaitlistEntry
from fablab.waitlist.queries import ACTIVE_BOOKER, ENTRY_COLUMNS, ENTRY_FROM, LOCK_ENTRY, NEXT_CANDIDATE, NEXT_WAITING

# An offer tries this many waiting people at most: a long queue of refusals costs bounded work.
MAX_TRIES_PER_OFFER = 20
MAX_DAYS_AHEAD = 90

class AlreadyWaiting(Conflict):
    code, title = codes.ALREADY_WAITING, "Already on the waitlist for this day"


async def entry(entry_id: int) -> dict | None:
    return await db.fetchone(f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE w.id = $1", entry_id)


async def entries_out(rows: list[dict]) -> list[dict]:
    """Entries as the API shows them, the bookings the list gave them read in one query."""
    booking_ids = [row["booking_id"] for row in rows if row["booking_id"] is not None]
    bookings = {} if not booking_ids else {
        found["id"]: queries.booking_out(found)
        for found in await db.fetch(f"{queries.BOOKING_SELECT} WHERE b.id = ANY($1::bigint[])", booking_ids)}
    return [{
        "id": row["id"], "user": {"id": row["user_id"], "login": row["user_login"], "name": row["user_name"]},
        "site": row["site"], "kind": row["kind"], "resource": row["resource"],
        "resource_name": row["resource_name"], "date": row["day"].isoformat(),
        "starts_at": row["starts_at"], "ends_at": row["ends_at"], "status": row["status"],
        "position": row["position"], "skip_reason": row["skip_reason"], "booking": bookings.get(row["booking_id"]),
        "created_at": row["created_at"], "resolved_at": row["resolved_at"], "seen": row["seen_at"] is not None,
    } for row in rows]


async def entry_out(row: dict) -> dict:
    return (await entries_out([row]))[0]


# -------------------------------------------------------------------------------------------
# Joining


async def _wish(site: dict, kind: str, day: date | None, starts_at: datetime | None, ends_at: datetime | None,
                now: datetime) -> tuple[date, datetime, datetime]:
    if starts_at is None and ends_at is None:
        if day is None:
            raise InvalidInput("Give a date, or starts_at and ends_at.", code=codes.DATE_REQUIRED)
        calendar = await site_queries.calendar_for(site, day, day)
        opening, closing = calendar.opening(day), calendar.closing(day)
        if opening is None:
            raise InvalidInput(f"The site is closed on {day}.", code=codes.CLOSED_DAY, day=day.isoformat())
        starts_at, ends_at = opening, closing
    elif starts_at is None or ends_at is None:
        raise InvalidInput("Give both starts_at and ends_at.", code=codes.TIMES_REQUIRED)
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("Times need an offset (RFC 3339).", code=codes.NAIVE_TIMESTAMP)
    if ends_at <= starts_at:
        raise InvalidInput("ends_at must be after starts_at.", code=codes.ENDS_BEFORE_START)
    if starts_at <= now:
        raise InvalidInput("This slot has started already.", code=codes.IN_THE_PAST)
    tz = ZoneInfo(site["timezone"])
    local_day = starts_at.astimezone(tz).date()
    if day is not None and day != local_day:
        raise InvalidInput("starts_at is not on the given date.", code=codes.INVALID_DATE)
    if local_day > now.astimezone(tz).date() + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(f"The waitlist opens {MAX_DAYS_AHEAD} days ahead.", code=codes.TOO_FAR_AHEAD)
    return local_day, starts_at, ends_at


async def _check_wish_bookable(site: dict, kind: str, unit: dict | None, starts_at: datetime, ends_at: datetime,
                               now: datetime) -> None:
    """Refuse at join a wish no offer could ever give: a unit lost or retired (or a kind with no
    unit left), or a slot the rules do not allow (closed, misaligned, too long...). Who asks does
    not matter here: training and quotas change, and are checked when the slot is offered. Lead
    time is left out too: a wish beyond the booking horizon becomes bookable as the days pass."""
    if unit is not None:
        if unit["status"] in ("lost", "retired"):
            check_resource_status(unit["status"])
    elif not await Resource.exists().where(Resource.site == site["id"], Resource.kind == kind,
                                           Resource.status.not_in(["lost", "retired"])):
        raise PolicyViolation("No unit of this kind can be booked at this site.", code=codes.RESOURCE_UNAVAILABLE)
    policy = await site_queries.policy_for(site["id"], kind, unit["id"] if unit else None)
    first, last = starts_at.date() - timedelta(days=1), ends_at.date() + timedelta(days=1)
    calendar = await site_queries.calendar_for(site, first, last)
    try:
        check_booking(starts_at=starts_at, ends_at=ends_at, policy=policy, calendar=calendar, now=now)
    except PolicyViolation as refusal:
        if refusal.code != codes.TOO_FAR_AHEAD:
            raise


async def join(*, actor: CurrentUser, user_id: int, site: str, kind: str, resource_tag: str | None = None,
               day: date | None = None, starts_at: datetime | None = None, ends_at: datetime | None = None,
               now: datetime | None = None) -> dict:
    """Queue for a unit or any unit of a kind, for a slot or a whole day; served at once if it is free.
    A rule that refuses the learner now (quota, training) comes back as `warning`, the entry kept."""
    if user_id != actor.id and not actor.is_staff:
        raise Forbidden("Only staff put someone else on the waitlist.", code=codes.NOT_ALLOWED_FOR_OTHERS)
    now = now or clock.now()
    kind = site_queries.require_kind(kind)
    site_row = await site_queries.require_site(site)
    if user_id != actor.id:  # staff queueing a learner: desk work, on their sites
        await scope.require_person_id(actor, user_id)
        scope.require_site(actor, site_row["id"], "This site")
    resource_id, unit = None, None
    if resource_tag is not None:
        unit = await site_queries.resource_by_tag(resource_tag)
        if unit is None:
            raise NotFound(f"No item {resource_tag}.", code=codes.UNKNOWN_TAG)
        if (unit["site_id"], unit["kind"]) != (site_row["id"], kind):
            raise InvalidInput("This item is of another kind or at another site.", code=codes.RESOURCE_MISMATCH)
        resource_id = unit["id"]
    local_day, starts_at, ends_at = await _wish(site_row, kind, day, starts_at, ends_at, now)
    await _check_wish_bookable(site_row, kind, unit, starts_at, ends_at, now)
    async with DB.transaction():
        await db.fetch("SAVEPOINT waitlist_join")
        try:
            inserted = await WaitlistEntry.insert(WaitlistEntry(
                user=user_id, site=site_row["id"], kind=kind, resource=resource_id, day=local_day,
                starts_at=starts_at, ends_at=ends_at, created_at=NOW)).returning(WaitlistEntry.id)
            entry_id = inserted[0]["id"]
        except asyncpg.UniqueViolationError:
            raise AlreadyWaiting(f"You are already waiting for a {kind} on {local_day}; "
                                 "leave that entry first.") from None
        except asyncpg.ForeignKeyViolationError:
            raise NotFound(f"No user {user_id}.", code=codes.UNKNOWN_USER) from None
        locked = (await db.fetchone(LOCK_ENTRY, entry_id))["id"]
        # Nothing was freed yet: a rule refusing the learner now (a quota they hold, a training
        # they lack) is a warning for this answer, not a skip_reason saying a place passed them by.
        # When the wish is full, the attempt ends on the conflict before those rules are read: the
        # learner is told now anyway, since a freed place could not be theirs either.
        refusals: list[DomainError] = []
        booked = await _try_entry(locked, now, enforce_policy=True, refusals=refusals)
        if not booked and not refusals:
            foreseen = await booker_refusal(user_id=user_id, site_id=site_row["id"], kind=kind,
                                            resource_id=resource_id, starts_at=starts_at, ends_at=ends_at,
                                            timezone_name=site_row["timezone"], now=now)
            refusals.extend([foreseen] if foreseen else [])
    joined = await entry_out(await entry(entry_id))
    if refusals:
        joined["warning"] = {"code": refusals[0].code, "detail": refusals[0].detail, **refusals[0].extra}
    return joined


# -------------------------------------------------------------------------------------------
# Offering


async def _booker(user_id: int) -> CurrentUser | None:
    row = await db.fetchone(ACTIVE_BOOKER, user_id)
    return CurrentUser(session_id=0, **{**row, "site_ids": frozenset(row["site_ids"])}) if row else None


async def _try_entry(entry_id: int, now: datetime, *, enforce_policy: bool, actor: CurrentUser | None = None,
                     refusals: list[DomainError] | None = None) -> bool:
    """Book the entry's wish (the entry row is locked by the caller); True when it got a booking.

    The attempt runs in a savepoint: a refusal undoes only itself. A conflict means the slot is
    still taken (the entry waits on, silently); a rule refusal is recorded as skip_reason, or,
    given a `refusals` list, appended to it instead.
    """
    wish = await WaitlistEntry.select(
        WaitlistEntry.user.as_alias("user_id"), WaitlistEntry.kind, WaitlistEntry.starts_at, WaitlistEntry.ends_at,
        WaitlistEntry.site.slug.as_alias("site"), WaitlistEntry.resource.tag.as_alias("tag"),
    ).where(WaitlistEntry.id == entry_id).first()
    booker = await _booker(wish["user_id"])
    if booker is None:
        await _resolve(entry_id, "removed", now, {WaitlistEntry.skip_reason: "inactive_user"})
        return False
    await db.fetch("SAVEPOINT waitlist_offer")
    try:
        booking = await create_booking(
            actor=actor or booker, user_id=booker.id, starts_at=wish["starts_at"], ends_at=wish["ends_at"],
            resource_tag=wish["tag"], site=None if wish["tag"] else wish["site"],
            kind=None if wish["tag"] else wish["kind"], purpose="Liste d'attente",
            enforce_policy=enforce_policy, now=now)
    except (BookingConflict, asyncpg.ExclusionViolationError):
        await db.fetch("ROLLBACK TO SAVEPOINT waitlist_offer")
        return False
    except DomainError as refusal:
        await db.fetch("ROLLBACK TO SAVEPOINT waitlist_offer")
        if refusals is not None:
            refusals.append(refusal)
        else:
            await WaitlistEntry.update({WaitlistEntry.skip_reason: refusal.code}).where(WaitlistEntry.id == entry_id)
        return False
    await db.fetch("RELEASE SAVEPOINT waitlist_offer")
    await _resolve(entry_id, "booked", now, {WaitlistEntry.booking: booking.id, WaitlistEntry.skip_reason: None})
    return True


async def _resolve(entry_id: int, status: str, now: datetime, also: dict | None = None) -> None:
    """The entry leaves the queue (booked, removed), with what else that changes (`also`: column -> value)."""
    await WaitlistEntry.update({WaitlistEntry.status: status, WaitlistEntry.resolved_at: now, **(also or {})}).where(
        WaitlistEntry.id == entry_id)


async def offer_freed(freed: Freed | None, now: datetime) -> int:
    """Offer a just-freed slot (fablab/bookings/changes.py says what it freed) to the people waiting for it,
    first come first served; call inside the freeing transaction. Returns how many got a booking."""
    if freed is None:
        return 0
    tried: list[int] = []
    served = 0
    start = max(freed.starts_at, now)
    while len(tried) < MAX_TRIES_PER_OFFER:
        entry_id = await db.fetchval(NEXT_CANDIDATE, freed.site_id, freed.kind, freed.resource_id, start,
                                     freed.blocked_until, now, tried)
        if entry_id is None:
            break
        tried.append(entry_id)
        served += await _try_entry(entry_id, now, enforce_policy=True)
    return served


async def end_entries_of_resource(*, resource_id: int, reason: str, now: datetime | None = None) -> None:
    """The unit was retired or lost (reason resource_retired / resource_lost): nobody waiting for
    it will get it. Within the caller's transaction."""
    await WaitlistEntry.update({WaitlistEntry.status: "removed", WaitlistEntry.resolved_at: now or clock.now(),
                                WaitlistEntry.skip_reason: reason}).where(
        WaitlistEntry.resource == resource_id, WaitlistEntry.status == "waiting")


async def offer_everything_free(now: datetime | None = None, limit: int = 500) -> int:
    """The periodic job: expire past wishes, then give each waiting person, in order, whatever is
    free for their wish now. Each entry in its own short transaction."""
    now = now or clock.now()
    await WaitlistEntry.update({WaitlistEntry.status: "expired", WaitlistEntry.resolved_at: now}).where(
        WaitlistEntry.status == "waiting", WaitlistEntry.starts_at <= now)
    tried: list[int] = []
    served = 0
    while len(tried) < limit:
        async with DB.transaction():
            entry_id = await db.fetchval(NEXT_WAITING, now, tried)
            if entry_id is None:
                break
            tried.append(entry_id)
            served += await _try_entry(entry_id, now, enforce_policy=True)
    return served


# -------------------------------------------------------------------------------------------
# Staff and owner actions


async def _locked_entry(entry_id: int, actor: CurrentUser, *, desk_only: bool = False) -> dict:
    row = await db.fetchone(LOCK_ENTRY, entry_id)
    if row is None or (row["user_id"] != actor.id and not actor.is_staff):
        raise NotFound(f"No waitlist entry {entry_id}.", code=codes.UNKNOWN_ENTRY)
    if row["user_id"] != actor.id or desk_only:
        scope.require_site(actor, row["site_id"], "This waitlist entry")
    if row["status"] != "waiting":
        raise Conflict(f"This entry is {row['status']}.", code=codes.NOT_WAITING, entry_status=row["status"])
    return row


async def remove(*, actor: CurrentUser, entry_id: int, now: datetime | None = None) -> None:
    async with DB.transaction():
        await _locked_entry(entry_id, actor)
        await _resolve(entry_id, "removed", now or clock.now())


async def promote(*, actor: CurrentUser, entry_id: int, now: datetime | None = None) -> dict:
    """Staff give the entry its wish now, out of turn and past the rules (never past the
    no-overlap constraint): 409 booking_conflict when nothing is free."""
    if not actor.is_staff:
        raise Forbidden("Only staff promote a waitlist entry.", code=codes.STAFF_ONLY)
    now = now or clock.now()
    async with DB.transaction():
        await _locked_entry(entry_id, actor, desk_only=True)
        if not await _try_entry(entry_id, now, enforce_policy=False, actor=actor):
            row = await entry(entry_id)
            if row["status"] == "waiting":
                raise BookingConflict("Nothing matching this wish is free now.")
    return await entry_out(await entry(entry_id))


async def mark_seen(*, actor: CurrentUser, entry_id: int) -> dict:
    row = await entry(entry_id)
    if row is None or row["user_id"] != actor.id:
        raise NotFound(f"No waitlist entry {entry_id}.", code=codes.UNKNOWN_ENTRY)
    await WaitlistEntry.update({WaitlistEntry.seen_at: NOW}).where(WaitlistEntry.id == entry_id,
                                                                   WaitlistEntry.seen_at.is_null())
    return await entry_out(await entry(entry_id))


async def list_mine(user_id: int, now: datetime) -> list[dict]:
    """The learner's entries still relevant: waiting, or booked and not yet seen or in the future."""
    rows = await db.fetch(
        f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE w.user_id = $1 "
        "AND (w.status = 'waiting' OR (w.status = 'booked' AND (w.seen_at IS NULL OR w.ends_at > $2))) "
        "ORDER BY w.starts_at, w.id LIMIT 200", user_id, now)
    return await entries_out(rows)


async def list_for_site(site: str, day: date) -> list[dict]:
    site_row = await site_queries.require_site(site)
    rows = await db.fetch(
        f"SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE w.site_id = $1 AND w.day = $2 "
        "ORDER BY (w.status = 'waiting') DESC, w.kind, w.id LIMIT 500", site_row["id"], day)
    return await entries_out(rows)
