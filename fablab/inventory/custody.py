"""Check-out and check-in at the desk (DESIGN.md §3 rules 2 and 3, §4)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import asyncpg

from fablab import db, scope
from fablab.accounts.service import user_id_for_pass
from fablab.bookings import queries as booking_queries
from fablab.bookings import service as bookings
from fablab.bookings.rules import check_override_bounds
from fablab.db import DB
from fablab.errors import BookingConflict, Conflict, InvalidInput, NotFound
from fablab.inventory import queries
from fablab.inventory.due import LOOKAHEAD_DAYS, DueProposal, propose_due
from fablab.inventory.service import change_status
from fablab.inventory.tags import normalise_tag
from fablab.maintenance import queries as maintenance_queries
from fablab.sites.queries import calendar_for, policy_for, require_site
from fablab.waitlist.service import offer_freed

WALK_UP_PURPOSE = "Prêt au comptoir"


class ResourceUnavailable(Conflict):
    code, title = "resource_unavailable", "This item cannot be lent now"


async def holder_for_pass(token: str) -> int:
    # The accounts domain owns passes (stored hashed).
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


# Whether another booking holds the unit then (the exclusion constraint's predicate, so its GiST
# index serves the check).
TAKEN_BY_OTHER = f"""
SELECT 1 FROM booking b WHERE b.resource_id = $1 AND b.id <> $2 AND {booking_queries.holding("b", "$3", "$4")} LIMIT 1
"""


async def _unit_taken_by_other(resource_id: int, booking_id: int, starts_at: datetime, blocked_until: datetime) -> bool:
    return bool(await db.fetchval(TAKEN_BY_OTHER, resource_id, booking_id, starts_at, blocked_until))


async def walk_up_proposal(resource: dict, now: datetime) -> DueProposal | None:
    """The return time the desk offers for a walk-up loan of this item handed over now (due.propose_due:
    the policy's walk-up due time while open; when closed, the one from the next opening)."""
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
    due = due_at or await default_due(resource, now)
    booking = await bookings.create_booking(
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
        if resource["maintenance_may_refuse"]:  # an overdue maintenance is done before the item goes out again
            await maintenance_queries.require_not_overdue(resource["id"], tag, now)
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
            row = await bookings.hand_over(booking_id=booking_id, resource_id=resource["id"], starts_at=starts_at,
                                           ends_at=ends_at, blocked_until=blocked_until, now=now, staff_id=actor.id,
                                           note=note)
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
        row = None if open_id is None else await bookings.take_back(booking_id=open_id, now=now, staff_id=actor.id,
                                                                    condition=condition, note=note)
        if row is None:
            raise Conflict(f"{tag} is not checked out.", code="not_checked_out")
        if condition == "damaged":
            # The condition and note are on the check-in just logged; the status change repeats the note.
            await change_status(resource, "maintenance", actor_id=actor.id, note=note)
        elif now < row["held_until"] and row["anyone_waiting"]:
            # Back early: the rest of the loan goes to the first person waiting for it.
            await offer_freed(bookings.freed_by_return(row, now), now)
    return {"booking": queries.booking_out(row), "resource": tag, "condition": condition,
            "resource_status": resource["status"], "late": row["held_until"] < now}
