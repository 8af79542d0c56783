"""Check-out and check-in at the desk (DESIGN.md §3 rules 2 and 3, §4)."""

from __future__ import annotations

import json
import math
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from fablab import db
from fablab.db import DB
from fablab.errors import BookingConflict, Conflict, InvalidInput, NotFound
from fablab.inventory import queries
from fablab.inventory.service import change_status, record_movement
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


async def _chosen_booking(booking_id: int, resource: dict, user_id: int | None, now: datetime) -> dict:
    booking = await db.fetchone(
        "SELECT id, resource_id, user_id, site_id, kind, starts_at, ends_at, blocked_until, status "
        "FROM booking WHERE id = $1 FOR NO KEY UPDATE", booking_id,
    )
    if booking is None or (user_id is not None and booking["user_id"] != user_id):
        raise NotFound("No such booking for this learner.", code="unknown_booking")
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


def _next_slot_boundary(moment: datetime, slot_minutes: int, tz: ZoneInfo) -> datetime:
    local = moment.astimezone(tz)
    midnight = datetime.combine(local.date(), time(0), tz)
    minutes = (local - midnight).total_seconds() / 60
    return (midnight + timedelta(minutes=math.ceil(minutes / slot_minutes) * slot_minutes)).astimezone(timezone.utc)


async def _site_closing_today(site_id: int, tz: ZoneInfo, now: datetime) -> datetime | None:
    hours = await db.fetchval("SELECT opening_hours::text FROM site WHERE id = $1", site_id)
    local = now.astimezone(tz)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
    closings = [end for _, end in json.loads(hours or "{}").get(day, [])]
    later = [datetime.combine(local.date(), time.fromisoformat(end), tz) for end in closings]
    later = [moment for moment in later if moment > now]
    return min(later).astimezone(timezone.utc) if later else None


async def default_due(resource: dict, now: datetime) -> datetime:
    """A walk-up's return time from the policy: the shortest allowed loan (rounded to slots for
    minute-based kinds; the end of today's opening for day-based ones)."""
    from fablab.bookings.service import policy_for_resource

    policy = await policy_for_resource(resource["id"])
    tz = ZoneInfo(resource["timezone"])
    if policy.unit == "days":
        closing = await _site_closing_today(resource["site_id"], tz, now)
        if closing is None:
            raise InvalidInput("The site is closed now; give due_at for this loan.", code="due_at_required")
        return closing
    return _next_slot_boundary(now + timedelta(minutes=policy.min_length), policy.slot_minutes, tz)


async def _walk_up(*, actor, resource: dict, user_id: int, due_at: datetime | None, now: datetime) -> int:
    from fablab.bookings.service import create_booking

    due = due_at or await default_due(resource, now)
    booking = await create_booking(
        actor=actor, user_id=user_id, starts_at=now, ends_at=due, resource_id=resource["id"],
        # A due time chosen by staff at the desk is their call (the override); the default one
        # comes from the policy, so the policy is checked.
        purpose=WALK_UP_PURPOSE, enforce_policy=due_at is None,
    )
    return booking["id"]


async def check_out(*, actor, tag: str, user_ref: int | str | None = None, pass_token: str | None = None,
                    booking_id: int | None = None, due_at: datetime | None = None, note: str = "",
                    now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    if due_at is not None and due_at <= now:
        raise InvalidInput("due_at must be in the future.", code="due_at_in_past")
    tag = normalise_tag(tag)
    user_id = None
    if pass_token:
        user_id = await holder_for_pass(pass_token)
    elif user_ref is not None:
        user_id = (await queries.require_user(user_ref))["id"]
    elif booking_id is None:
        raise InvalidInput("Give the learner (user or pass) or the booking.", code="holder_required")

    async with DB.transaction():
        # The row lock makes two desks scanning the same tag queue up; the second then sees the
        # first check-out and gets a clear 409 (the unique index is the last guard).
        resource = await queries.require_resource(tag, for_update=True)
        if resource["status"] != "available":
            raise ResourceUnavailable(f"{tag} is {resource['status']}.", resource_status=resource["status"])
        if await queries.open_checkout(resource["id"]):
            raise Conflict(f"{tag} is already checked out.", code="already_checked_out")

        if booking_id is not None:
            booking = await _chosen_booking(booking_id, resource, user_id, now)
            user_id = booking["user_id"]
        else:
            booking = await db.fetchone(MATCHING_BOOKING, user_id, resource["id"], resource["site_id"],
                                        resource["kind"], now)
        moved_from = None
        walk_up = booking is None
        if walk_up:
            booking_id = await _walk_up(actor=actor, resource=resource, user_id=user_id, due_at=due_at, now=now)
            await db.fetch(
                "UPDATE booking SET status = 'checked_out', checked_out_at = $2, sequence = sequence + 1, "
                "updated_at = now() WHERE id = $1",
                booking_id, now,
            )
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
            await db.fetch(
                "UPDATE booking SET resource_id = $2, starts_at = $3, ends_at = $4, blocked_until = $5, "
                "status = 'checked_out', checked_out_at = $6, sequence = sequence + 1, updated_at = now() "
                "WHERE id = $1",
                booking_id, resource["id"], starts_at, ends_at, blocked_until, now,
            )
        await record_movement(resource_id=resource["id"], kind="check_out", booking_id=booking_id, holder_id=user_id,
                              staff_id=actor.id, site_id=resource["site_id"], note=note, at=now)
        row = await queries.open_checkout(resource["id"])
    out = queries.booking_out(row, now)
    return {"booking": out, "resource": tag, "holder": out["user"], "due_at": out["ends_at"],
            "walk_up": walk_up, "moved_from": moved_from}


async def check_in(*, actor, tag: str, condition: str = "ok", note: str = "", now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    tag = normalise_tag(tag)
    async with DB.transaction():
        resource = await queries.require_resource(tag, for_update=True)
        booking = await queries.open_checkout(resource["id"])
        if booking is None:
            raise Conflict(f"{tag} is not checked out.", code="not_checked_out")
        # Returned early: the booking ends now, so the rest of its slot is free for others.
        await db.fetch(
            "UPDATE booking SET status = 'returned', returned_at = $2, "
            "ends_at = CASE WHEN $2 < ends_at THEN greatest($2, starts_at + interval '1 second') ELSE ends_at END, "
            "blocked_until = CASE WHEN $2 < ends_at "
            "  THEN greatest($2, starts_at + interval '1 second') + (blocked_until - ends_at) ELSE blocked_until END, "
            "sequence = sequence + 1, updated_at = now() WHERE id = $1",
            booking["id"], now,
        )
        await record_movement(resource_id=resource["id"], kind="check_in", booking_id=booking["id"],
                              holder_id=booking["user_id"], staff_id=actor.id, site_id=resource["site_id"],
                              condition=condition, note=note, at=now)
        if condition == "damaged":
            await change_status(resource, "maintenance", actor_id=actor.id,
                                note=f"damaged at check-in{': ' + note if note else ''}")
        elif now < booking["ends_at"]:
            # Back early: the rest of the loan goes to the first person waiting for it.
            from fablab.bookings.waitlist import offer_freed
            await offer_freed({**booking, "starts_at": now}, now)
        row = await db.fetchone(f"SELECT {queries.BOOKING_COLUMNS} {queries.BOOKING_FROM} WHERE b.id = $1",
                                booking["id"])
    return {"booking": queries.booking_out(row), "resource": tag, "condition": condition,
            "resource_status": resource["status"], "late": booking["ends_at"] < now}
