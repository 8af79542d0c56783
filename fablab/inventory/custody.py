"""Check-out and check-in at the desk (DESIGN.md §3 rules 2 and 3, §4)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import asyncpg

from fablab import db, scope
from fablab.db import DB
from fablab.errors import BookingConflict, Conflict, InvalidInput, NotFound
from fablab.inventory import queries
from fablab.inventory.due import LOOKAHEAD_DAYS, DueProposal, propose_due
from fablab.inventory.service import change_status
from fablab.bookings.rules import check_override_bounds
from fablab.inventory.tags import normalise_tag

WALK_UP_PURPOSE = "Prêt au comptoir"


class ResourceUnavailable(Conflict):
    code, title = "resource_unavailable", "This item cannot be lent now"


async def holder_for_pass(token: str) -> int:
    # The accounts domain owns passes (stored hashed); imported here so the two domains stay apart.
    from fablab.accounts.service import user_id_for_pass

    user_id = await user_id_for_pass(token)
    if user_id is None:
        raise NotFound("This pass is unknown, revoked or expired.", code="unknown_pass")
    return user_id


# The learner's active booking usable for this unit now: this very unit first, else one of the same
# kind at the same site (rule 3); usable from `grace` minutes before its start until its end.
MATCHING_BOOKING = """
SELECT b.id, b.resource_id, b.user_id, b.starts_at, b.ends_at, b.blocked_until
FROM booking b
LEFT JOIN policy po ON po.resource_id = b.resource_id
LEFT JOIN policy ps ON ps.site_id = b.site_id AND ps.kind = b.kind AND ps.resource_id IS NULL
WHERE b.user_id = $1 AND b.status = 'confirmed'
  AND (b.resource_id = $2 OR (b.site_id = $3 AND b.kind = $4))
  AND b.ends_at > $5
  AND b.starts_at - make_interval(mins => coalesce(po.checkout_grace_minutes, ps.checkout_grace_minutes, 30)) <= $5
ORDER BY (b.resource_id = $2) DESC, b.starts_at
LIMIT 1
FOR NO KEY UPDATE OF b
"""


def _booking_out_of(cte: str) -> str:
    """SELECT the booking as queries.booking_out reads it, from a CTE named `cte` instead of the table."""
    return f"SELECT {queries.BOOKING_COLUMNS} {queries.BOOKING_FROM.replace('FROM booking b', f'FROM {cte} b')}"


# The hand-over in one statement: the booking becomes the loan (re-checked: still confirmed), the
# movement is logged, and the loan is read back as the API shows it.
HAND_OVER = f"""
WITH upd AS (
    UPDATE booking SET resource_id = $2, starts_at = $3, ends_at = $4, blocked_until = $5,
           status = 'checked_out', checked_out_at = $6, sequence = sequence + 1, updated_at = now()
    WHERE id = $1 AND status = 'confirmed' RETURNING *),
mv AS (
    INSERT INTO movement (resource_id, kind, booking_id, holder_id, staff_id, site_id, note, at)
    SELECT resource_id, 'check_out', id, user_id, $7, site_id, $8, $6 FROM upd)
{_booking_out_of("upd")}
"""

# The return in one statement: the loan ends (early: now, so the rest of its slot is free again),
# the movement is logged, and the booking is read back with what it held before and whether anyone
# waits for its kind at its site.
TAKE_BACK = f"""
WITH old AS (SELECT id, ends_at, blocked_until FROM booking WHERE id = $1),
upd AS (
    UPDATE booking b SET status = 'returned', returned_at = $2,
           ends_at = CASE WHEN $2 < b.ends_at THEN greatest($2, b.starts_at + interval '1 second') ELSE b.ends_at END,
           blocked_until = CASE WHEN $2 < b.ends_at
               THEN greatest($2, b.starts_at + interval '1 second') + (b.blocked_until - b.ends_at) ELSE b.blocked_until END,
           sequence = b.sequence + 1, updated_at = now()
    WHERE b.id = $1 AND b.status = 'checked_out' RETURNING b.*),
mv AS (
    INSERT INTO movement (resource_id, kind, booking_id, holder_id, staff_id, site_id, condition, note)
    SELECT resource_id, 'check_in', id, user_id, $3, site_id, $4, $5 FROM upd)
SELECT {queries.BOOKING_COLUMNS}, old.ends_at AS held_until, old.blocked_until AS held_blocked_until,
       EXISTS (SELECT 1 FROM waitlist_entry w WHERE w.status = 'waiting' AND w.site_id = b.site_id
                  AND w.kind = b.kind) AS anyone_waiting
{queries.BOOKING_FROM.replace('FROM booking b', 'FROM upd b')} JOIN old ON old.id = b.id
"""


async def _chosen_booking(booking_id: int, resource: dict, user_id: int | None, now: datetime) -> dict:
    # With its holder's role and site: who it may be lent to (scope), without another round trip.
    booking = await db.fetchone(
        "SELECT b.id, b.resource_id, b.user_id, b.site_id, b.kind, b.starts_at, b.ends_at, b.blocked_until, b.status, "
        "u.role AS holder_role, u.site_id AS holder_site_id "
        "FROM booking b LEFT JOIN app_user u ON u.id = b.user_id WHERE b.id = $1 FOR NO KEY UPDATE OF b", booking_id,
    )
    if booking is None or (user_id is not None and booking["user_id"] != user_id):
        raise NotFound("No such booking for this learner.", code="unknown_booking")
    if booking["status"] == "checked_out":
        raise Conflict(f"Booking {booking_id} is checked out already.", code="already_checked_out")
    if booking["status"] != "confirmed" or booking["ends_at"] <= now:
        raise Conflict(f"Booking {booking_id} is {booking['status']} and cannot be checked out.",
                       code="booking_not_confirmed")
    if (booking["site_id"], booking["kind"]) != (resource["site_id"], resource["kind"]):
        raise InvalidInput("The booking is for another kind of item or another site.", code="booking_mismatch")
    return booking


async def _unit_taken_by_other(resource_id: int, booking_id: int, starts_at: datetime, blocked_until: datetime) -> bool:
    # Repeats the exclusion constraint's predicate and range so its GiST index serves the check.
    return bool(await db.fetchval(
        "SELECT 1 FROM booking WHERE resource_id = $1 AND id <> $2 AND status IN ('confirmed', 'checked_out') "
        "AND tstzrange(starts_at, blocked_until, '[)') && tstzrange($3, $4, '[)') LIMIT 1",
        resource_id, booking_id, starts_at, blocked_until,
    ))


async def walk_up_proposal(resource: dict, now: datetime) -> DueProposal | None:
    """The return time the desk offers for a walk-up loan of this item handed over now (due.propose_due:
    the policy's walk-up due time while open; when closed, the one from the next opening)."""
    from fablab.sites.queries import calendar_for, policy_for, require_site

    policy = await policy_for(resource["site_id"], resource["kind"], resource["id"])
    site = await require_site(resource["site"])
    today = now.astimezone(ZoneInfo(resource["timezone"])).date()
    calendar = await calendar_for(site, today, today + timedelta(days=LOOKAHEAD_DAYS))
    return propose_due(policy, calendar, now)


async def default_due(resource: dict, now: datetime) -> datetime:
    """A walk-up's return time when staff give none: rules.walk_up_due (the shortest allowed loan,
    on a slot boundary, capped at closing; today's closing for loans by the day). While the site is
    closed there is none: staff give due_at (the override), and the error suggests one."""
    proposal = await walk_up_proposal(resource, now)
    if proposal is None or not proposal.by_policy:
        raise InvalidInput("The site is closed now; give due_at for this loan.", code="due_at_required",
                           suggested_due_at=proposal.due_at.isoformat() if proposal else None)
    return proposal.due_at


async def _walk_up(*, actor, resource: dict, user_id: int, due_at: datetime | None, now: datetime) -> int:
    from fablab.bookings.service import create_booking

    due = due_at or await default_due(resource, now)
    booking = await create_booking(
        actor=actor, user_id=user_id, starts_at=now, ends_at=due, resource_id=resource["id"],
        # A due time chosen by staff at the desk is their call (the override); the default one
        # comes from the policy, so the policy is checked.
        purpose=WALK_UP_PURPOSE, enforce_policy=due_at is None, now=now,
    )
    return booking["id"]


class _DryRunDone(Exception):
    """Raised at the end of a dry run's transaction so that it rolls back; carries the result."""

    def __init__(self, result: dict) -> None:
        super().__init__("dry run")
        self.result = result


async def check_out(*, actor, tag: str, user_ref: int | str | None = None, pass_token: str | None = None,
                    booking_id: int | None = None, due_at: datetime | None = None, note: str = "",
                    now: datetime | None = None, dry_run: bool = False) -> dict:
    """Hand the item over. dry_run: every check and write runs, then all is rolled back, so the desk
    can ask "lend X to Y until Z?" with the very holder and return time a real check-out gives."""
    try:
        return await _check_out(actor=actor, tag=tag, user_ref=user_ref, pass_token=pass_token, booking_id=booking_id,
                                due_at=due_at, note=note, now=now, dry_run=dry_run)
    except _DryRunDone as done:
        return done.result


async def _check_out(*, actor, tag: str, user_ref, pass_token, booking_id, due_at, note, now, dry_run) -> dict:
    now = now or datetime.now(timezone.utc)
    if due_at is not None and due_at <= now:
        raise InvalidInput("due_at must be in the future.", code="due_at_in_past")
    if due_at is not None:
        check_override_bounds(now, due_at, now)  # a due time chosen at the desk is an override: bounded
    tag = normalise_tag(tag)
    user_id, holder = None, None
    if pass_token:
        user_id = await holder_for_pass(pass_token)
    elif user_ref is not None:
        holder = await queries.require_user(user_ref)
        user_id = holder["id"]
    elif booking_id is None:
        raise InvalidInput("Give the learner (user or pass) or the booking.", code="holder_required")

    async with DB.transaction():
        # The row lock makes two desks scanning the same tag queue up; the second then sees the
        # first check-out and gets a clear 409 (the unique index is the last guard).
        resource, open_id = await queries.lock_with_open_checkout(tag)
        scope.require_site(actor, resource["site_id"], "This item")
        if resource["status"] != "available":
            raise ResourceUnavailable(f"{tag} is {resource['status']}.", resource_status=resource["status"])
        if open_id is not None:
            raise Conflict(f"{tag} is already checked out.", code="already_checked_out")

        if booking_id is not None:
            booking = await _chosen_booking(booking_id, resource, user_id, now)
            user_id = booking["user_id"]
            holder = {"id": user_id, "role": booking["holder_role"], "site_id": booking["holder_site_id"]}
        # Lent to a learner of the staff's sites (or to the staff member themselves), never to
        # another staff member or an admin.
        if holder is None:
            await scope.require_person_id(actor, user_id)
        else:
            scope.require_person(actor, holder)
        if booking_id is None:
            booking = await db.fetchone(MATCHING_BOOKING, user_id, resource["id"], resource["site_id"],
                                        resource["kind"], now)
        moved_from = None
        walk_up = booking is None
        if walk_up:
            # open_id may be stale after waiting for another desk's lock: read it afresh before
            # lending the item as a walk-up (the booked path is guarded by the unique index).
            if await queries.open_checkout(resource["id"]):
                raise Conflict(f"{tag} is already checked out.", code="already_checked_out")
            booking_id = await _walk_up(actor=actor, resource=resource, user_id=user_id, due_at=due_at, now=now)
            booking = await db.fetchone("SELECT starts_at, ends_at, blocked_until, resource_id FROM booking "
                                        "WHERE id = $1", booking_id)
            starts_at, ends_at, blocked_until = booking["starts_at"], booking["ends_at"], booking["blocked_until"]
        else:
            booking_id = booking["id"]
            # Taken early: the booking starts now, so the unit's calendar shows the real loan.
            starts_at = min(booking["starts_at"], now)
            ends_at = due_at or booking["ends_at"]
            blocked_until = ends_at + (booking["blocked_until"] - booking["ends_at"])
            if booking["resource_id"] != resource["id"]:
                if await _unit_taken_by_other(resource["id"], booking_id, starts_at, blocked_until):
                    raise BookingConflict(f"{tag} is booked by someone else during this loan; hand over another unit.")
                moved_from = await db.fetchval("SELECT tag FROM resource WHERE id = $1", booking["resource_id"])
        # Moving to this unit is guarded by the exclusion constraint as well (409 booking_conflict).
        try:
            row = await db.fetchone(HAND_OVER, booking_id, resource["id"], starts_at, ends_at, blocked_until, now,
                                    actor.id, note)
        except asyncpg.UniqueViolationError:  # booking_one_checked_out: another desk was first
            raise Conflict(f"{tag} is already checked out.", code="already_checked_out") from None
        if row is None:
            raise Conflict(f"Booking {booking_id} is no longer confirmed.", code="booking_not_confirmed")
        out = queries.booking_out(row, now)
        result = {"booking": out, "resource": tag, "holder": out["user"], "due_at": out["ends_at"],
                  "walk_up": walk_up, "moved_from": moved_from, "dry_run": dry_run}
        if dry_run:
            raise _DryRunDone({**result, "booking": None if walk_up else out})
    return result


async def check_in(*, actor, tag: str, condition: str = "ok", note: str = "", now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    tag = normalise_tag(tag)
    async with DB.transaction():
        resource, open_id = await queries.lock_with_open_checkout(tag)
        scope.require_site(actor, resource["site_id"], "This item")
        if open_id is None:
            # Maybe stale (read before waiting for another desk's lock): ask again before saying no.
            fresh = await queries.open_checkout(resource["id"])
            open_id = fresh["id"] if fresh else None
        row = None if open_id is None else await db.fetchone(TAKE_BACK, open_id, now, actor.id, condition, note)
        if row is None:
            raise Conflict(f"{tag} is not checked out.", code="not_checked_out")
        if condition == "damaged":
            # The condition and note are on the check-in just logged; the status change repeats the note.
            await change_status(resource, "maintenance", actor_id=actor.id, note=note)
        elif now < row["held_until"] and row["anyone_waiting"]:
            # Back early: the rest of the loan goes to the first person waiting for it.
            from fablab.bookings.waitlist import offer_freed
            await offer_freed({**row, "starts_at": now, "blocked_until": row["held_blocked_until"]}, now)
    return {"booking": queries.booking_out(row), "resource": tag, "condition": condition,
            "resource_status": resource["status"], "late": row["held_until"] < now}
