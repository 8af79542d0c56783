"""The desk's check-out of one item: its booking or a walk-up, across the domains it calls (rules 2 and 3)."""

from __future__ import annotations

import functools
from datetime import datetime

import asyncpg

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.hooks import admission, unit_gates
from fablab.platform import db
from fablab.accounts.service import user_id_for_pass
from fablab.bookings import queries as booking_queries
from fablab.bookings import create as booking_create, handover as booking_handover
from fablab.bookings.rules import check_override_bounds
from fablab.platform.db import DB
from fablab.desk.dry_run import RolledBack
from fablab.domain.errors import BookingConflict, Conflict, InvalidInput, NotFound
from fablab.inventory import queries
from fablab.inventory.resolution import walk_up_proposal
from fablab.movements.tags import normalise_tag
from fablab.parts.service import hand_over_parts

WALK_UP_PURPOSE = "Prêt au comptoir"


class ResourceUnavailable(Conflict):
    code, title = codes.RESOURCE_UNAVAILABLE, "This item cannot be lent now"


async def holder_for_pass(token: str) -> int:
    # The accounts domain owns passes (stored hashed).
    user_id = await user_id_for_pass(token)
    if user_id is None:
        raise NotFound("This pass is unknown, revoked or expired.", code=codes.UNKNOWN_PASS)
    return user_id


# The learner's active booking usable for this unit now: this very unit first, else one of the same
# kind at the same site (rule 3); usable from `grace` minutes before its start until its end. With the
# admission checks' probes for the loan (fablab/hooks/admission.py), which then costs no round trip of its own.
_MATCHING_BOOKING = """
SELECT b.id, b.resource_id, b.user_id, b.starts_at, b.ends_at, b.blocked_until, {admission} AS admission_may_refuse
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


# A booking chosen by its id, with its holder's role and site: who it may be lent to (scope), and the
# admission probes for lending the unit $2 now ($3), without another round trip.
_CHOSEN_BOOKING = """
SELECT b.id, b.resource_id, b.user_id, b.site_id, b.kind, b.starts_at, b.ends_at, b.blocked_until, b.status,
       u.role AS holder_role, u.site_id AS holder_site_id, {admission} AS admission_may_refuse
FROM booking b LEFT JOIN app_user u ON u.id = b.user_id WHERE b.id = $1 FOR NO KEY UPDATE OF b
"""


@functools.lru_cache(maxsize=8)
def _with_probes(sql: str, checks: tuple[str, ...], taking: admission.TakingSql) -> str:
    # Built on first use, once the checks are registered (their names are the cache key).
    return sql.format(admission=admission.may_refuse_sql(taking))


_MATCHING_TAKING = admission.TakingSql(person="$1::int", site="$3::int", kind="$4::text", resource="$2::int",
                                       starts_at="$5::timestamptz", now="$5::timestamptz")
_CHOSEN_TAKING = admission.TakingSql(person="b.user_id", site="b.site_id", kind="b.kind", resource="$2::int",
                                     starts_at="$3::timestamptz", now="$3::timestamptz")


async def _chosen_booking(booking_id: int, resource: dict, user_id: int | None, now: datetime) -> dict:
    booking = await db.fetchone(_with_probes(_CHOSEN_BOOKING, admission.signature(), _CHOSEN_TAKING), booking_id,
                                resource["id"], now)
    if booking is None or (user_id is not None and booking["user_id"] != user_id):
        raise NotFound("No such booking for this learner.", code=codes.UNKNOWN_BOOKING)
    if booking["status"] == "checked_out":
        raise Conflict(f"Booking {booking_id} is checked out already.", code=codes.ALREADY_CHECKED_OUT)
    if booking["status"] != "confirmed" or booking["ends_at"] <= now:
        raise Conflict(f"Booking {booking_id} is {booking['status']} and cannot be checked out.",
                       code=codes.BOOKING_NOT_CONFIRMED)
    if (booking["site_id"], booking["kind"]) != (resource["site_id"], resource["kind"]):
        raise InvalidInput("The booking is for another kind of item or another site.", code=codes.BOOKING_MISMATCH)
    return booking


# Whether another booking holds the unit then (the exclusion constraint's predicate, so its GiST
# index serves the check).
TAKEN_BY_OTHER = f"""
SELECT 1 FROM booking b WHERE b.resource_id = $1 AND b.id <> $2 AND {booking_queries.holding("b", "$3", "$4")} LIMIT 1
"""


async def _unit_taken_by_other(resource_id: int, booking_id: int, starts_at: datetime, blocked_until: datetime) -> bool:
    return bool(await db.fetchval(TAKEN_BY_OTHER, resource_id, booking_id, starts_at, blocked_until))


async def default_due(resource: dict, now: datetime) -> datetime:
    """A walk-up's return time when staff give none: rules.walk_up_due (the shortest allowed loan,
    on a slot boundary, capped at closing; today's closing for loans by the day). While the site is
    closed there is none: staff give due_at (the override), and the error suggests one."""
    proposal = await walk_up_proposal(resource, now)
    if proposal is None or not proposal.by_policy:
        raise InvalidInput("The site is closed now; give due_at for this loan.", code=codes.DUE_AT_REQUIRED,
                           suggested_due_at=proposal.due_at.isoformat() if proposal else None)
    return proposal.due_at


async def _walk_up(*, actor, resource: dict, user_id: int, due_at: datetime | None, now: datetime) -> int:
    due = due_at or await default_due(resource, now)
    booking = await booking_create.create_booking(
        actor=actor, user_id=user_id, starts_at=now, ends_at=due, resource_id=resource["id"],
        # A due time chosen by staff at the desk is their call (the override); the default one
        # comes from the policy, so the policy is checked.
        purpose=WALK_UP_PURPOSE, enforce_policy=due_at is None, now=now,
        borrower_checked=True,  # _booking_to_lend did (scope.require_borrower)
    )
    return booking.id


async def check_out(*, actor, tag: str, user_ref: int | str | None = None, pass_token: str | None = None,
                    booking_id: int | None = None, due_at: datetime | None = None, note: str = "",
                    now: datetime | None = None, dry_run: bool = False, parts: list[int] | None = None,
                    present: bool = False) -> dict:
    """Hand the item over. dry_run: every check and write runs, then all is rolled back, so the desk
    can ask "lend X to Y until Z?" with the very holder and return time a real check-out gives.
    parts: the ids of the item's parts handed over with it (None: every part at the desk).
    present: the learner named by user_ref showed their pass to the caller (the desk's hand-over),
    so a visiting learner of another site may borrow (scope.require_borrower)."""
    try:
        return await _check_out(actor=actor, tag=tag, user_ref=user_ref, pass_token=pass_token, booking_id=booking_id,
                                due_at=due_at, note=note, now=now, dry_run=dry_run, parts=parts, present=present)
    except RolledBack as done:
        return done.result


def _check_due_at(due_at: datetime | None, now: datetime) -> None:
    if due_at is not None and due_at <= now:
        raise InvalidInput("due_at must be in the future.", code=codes.DUE_AT_IN_PAST)
    if due_at is not None:
        check_override_bounds(now, due_at, now)  # a due time chosen at the desk is an override: bounded


async def _named_holder(*, user_ref, pass_token, booking_id, present: bool) -> tuple[int | None, dict | None]:
    """(user id, user row or None) of the learner named by pass or by id/login; (None, None) when
    only the booking names them."""
    if pass_token:
        user_id = await holder_for_pass(pass_token)
        return user_id, {**await queries.require_user(user_id), "present": True}
    if user_ref is not None:
        holder = await queries.require_user(user_ref)
        return holder["id"], {**holder, "present": present}
    if booking_id is None:
        raise InvalidInput("Give the learner (user or pass) or the booking.", code=codes.HOLDER_REQUIRED)
    return None, None


async def _lendable(actor, tag: str, now: datetime) -> dict:
    """The item, row-locked, if it may be lent now by this actor."""
    # The row lock makes two desks scanning the same tag queue up; the second then sees the
    # first check-out and gets a clear 409 (the unique index is the last guard).
    resource, open_id = await queries.lock_with_open_checkout(tag)
    scope.require_site(actor, resource["site_id"], "This item")
    if resource["status"] != "available":
        raise ResourceUnavailable(f"{tag} is {resource['status']}.", resource_status=resource["status"])
    if resource["gates_may_refuse"]:  # e.g. an overdue maintenance is done before the item goes out again
        await unit_gates.require_open(resource["id"], tag, now)
    if open_id is not None:
        raise Conflict(f"{tag} is already checked out.", code=codes.ALREADY_CHECKED_OUT)
    return resource


async def _booking_to_lend(actor, resource: dict, *, booking_id: int | None, user_id: int | None,
                           holder: dict | None, now: datetime) -> tuple[dict | None, int]:
    """(the booking this loan honours, or None for a walk-up; the learner's id)."""
    booking = None
    if booking_id is not None:
        booking = await _chosen_booking(booking_id, resource, user_id, now)
        user_id = booking["user_id"]
        # Their own booking of this item at this site: a visiting learner may hold it too.
        holder = {"id": user_id, "role": booking["holder_role"], "site_id": booking["holder_site_id"],
                  "present": True}
    # Lent to the staff member themselves or to a learner: of the staff's sites, or of any site
    # when at the desk (their pass, their booking); never to another staff member or an admin.
    if holder is None:
        await scope.require_person_id(actor, user_id)
    else:
        scope.require_borrower(actor, holder, present=holder.get("present", False))
    if booking_id is None:
        booking = await db.fetchone(_with_probes(_MATCHING_BOOKING, admission.signature(), _MATCHING_TAKING),
                                    user_id, resource["id"], resource["site_id"], resource["kind"], now)
    return booking, user_id


async def _walk_up_loan(*, actor, resource: dict, user_id: int, due_at: datetime | None, now: datetime) -> dict:
    # open_id may be stale after waiting for another desk's lock: read it afresh before
    # lending the item as a walk-up (the booked path is guarded by the unique index).
    if await queries.open_checkout(resource["id"]):
        raise Conflict(f"{resource['tag']} is already checked out.", code=codes.ALREADY_CHECKED_OUT)
    booking_id = await _walk_up(actor=actor, resource=resource, user_id=user_id, due_at=due_at, now=now)
    booking = await db.fetchone("SELECT starts_at, ends_at, blocked_until FROM booking WHERE id = $1", booking_id)
    return {"booking_id": booking_id, **booking, "walk_up": True, "moved_from": None}


async def _booked_loan(*, booking: dict, resource: dict, due_at: datetime | None, now: datetime) -> dict:
    # Taken early: the booking starts now, so the unit's calendar shows the real loan.
    starts_at = min(booking["starts_at"], now)
    ends_at = due_at or booking["ends_at"]
    blocked_until = ends_at + (booking["blocked_until"] - booking["ends_at"])
    moved_from = None
    if booking["resource_id"] != resource["id"]:
        if await _unit_taken_by_other(resource["id"], booking["id"], starts_at, blocked_until):
            raise BookingConflict(f"{resource['tag']} is booked by someone else during this loan; hand over another unit.")
        moved_from = await db.fetchval("SELECT tag FROM resource WHERE id = $1", booking["resource_id"])
    return {"booking_id": booking["id"], "starts_at": starts_at, "ends_at": ends_at, "blocked_until": blocked_until,
            "walk_up": False, "moved_from": moved_from}


async def _hand_over(*, actor, resource: dict, loan: dict, note: str, now: datetime) -> dict:
    # Moving to this unit is guarded by the exclusion constraint as well (409 booking_conflict).
    try:
        row = await booking_handover.hand_over(booking_id=loan["booking_id"], resource_id=resource["id"],
                                       starts_at=loan["starts_at"], ends_at=loan["ends_at"],
                                       blocked_until=loan["blocked_until"], now=now, staff_id=actor.id, note=note)
    except asyncpg.UniqueViolationError:  # booking_one_checked_out: another desk was first
        raise Conflict(f"{resource['tag']} is already checked out.", code=codes.ALREADY_CHECKED_OUT) from None
    if row is None:
        raise Conflict(f"Booking {loan['booking_id']} is no longer confirmed.", code=codes.BOOKING_NOT_CONFIRMED)
    return row


async def _parts_handed_over(*, actor, resource: dict, row: dict, parts: list[int] | None, now: datetime) -> list[dict]:
    """The item's parts as they went with this loan (fablab/parts); nothing to do for an item without."""
    if not resource["has_parts"] and not parts:
        return []
    return await hand_over_parts(resource=resource, booking=row, handed=parts, staff_id=actor.id, now=now)


async def _check_out(*, actor, tag: str, user_ref, pass_token, booking_id, due_at, note, now, dry_run, parts,
                     present: bool) -> dict:
    now = now or clock.now()
    _check_due_at(due_at, now)
    tag = normalise_tag(tag)
    user_id, holder = await _named_holder(user_ref=user_ref, pass_token=pass_token, booking_id=booking_id,
                                          present=present)
    async with DB.transaction():
        resource = await _lendable(actor, tag, now)
        booking, user_id = await _booking_to_lend(actor, resource, booking_id=booking_id, user_id=user_id,
                                                  holder=holder, now=now)
        if booking is None:
            loan = await _walk_up_loan(actor=actor, resource=resource, user_id=user_id, due_at=due_at, now=now)
        else:
            loan = await _booked_loan(booking=booking, resource=resource, due_at=due_at, now=now)
        await admission.admit(admission.Taking(
            person_id=user_id, site_id=resource["site_id"], what="loan", starts_at=now, ends_at=loan["ends_at"],
            actor_id=actor.id, actor_is_staff=actor.is_staff, kind=resource["kind"], resource_id=resource["id"]),
            None if booking is None else booking["admission_may_refuse"])
        row = await _hand_over(actor=actor, resource=resource, loan=loan, note=note, now=now)
        handed_parts = await _parts_handed_over(actor=actor, resource=resource, row=row, parts=parts, now=now)
        out = queries.booking_out(row, now)
        result = {"booking": out, "resource": tag, "holder": out.user, "due_at": out.ends_at,
                  "walk_up": loan["walk_up"], "moved_from": loan["moved_from"], "dry_run": dry_run,
                  "parts": handed_parts}
        if dry_run:
            raise RolledBack({**result, "booking": None if loan["walk_up"] else out})
    return result
