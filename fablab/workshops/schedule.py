"""Workshops themselves: create (the room booked through the booking engine, partners' holds,
trainers), change (never below the seats taken), cancel (sign-ups and room booking with it)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.bookings import changes as booking_changes
from fablab.bookings.create import create_booking
from fablab.platform.db import DB
from fablab.domain.errors import Conflict, InvalidInput, NotFound
from fablab.sites.queries import require_site, resource_by_tag
from fablab.tables import Workshop, WorkshopHold, WorkshopTrainer
from fablab.workshops import queries, seats
from fablab.workshops.registrations import require_locked
from fablab.workshops.rules import check_age_range, check_times
from fablab.workshops.schemas import HoldIn, WorkshopIn
from fablab.workshops.service import partner_of_site

CAPACITY_CHECK = "workshop_within_capacity"
ROOM = "room"


async def course_of_site(course_id: int | None, site_id: int) -> None:
    if course_id is None:
        return
    course_site = await db.fetchval("SELECT site_id FROM course WHERE id = $1", course_id)
    if course_site is None:
        raise NotFound(f"No course {course_id}.", code=codes.UNKNOWN_COURSE)
    if course_site != site_id:
        raise InvalidInput("This course belongs to another site.", code=codes.COURSE_OTHER_SITE)


async def _check_holds(holds: list[HoldIn], site_id: int, capacity: int) -> None:
    partners = [hold.partner for hold in holds]
    if len(set(partners)) != len(partners) or sum(hold.seats for hold in holds) > capacity:
        raise InvalidInput("One hold per partner, and no more seats held than the capacity.",
                           code=codes.INVALID_HOLDS)
    for partner in partners:
        await partner_of_site(partner, site_id)


async def _check_trainers(trainers: list[int], site_id: int) -> None:
    for user_id in set(trainers):
        row = await db.fetchone(
            "SELECT u.role, EXISTS (SELECT 1 FROM staff_site s WHERE s.user_id = u.id AND s.site_id = $2) AS here "
            "FROM app_user u WHERE u.id = $1 AND u.active", user_id, site_id)
        if row is None or not (row["role"] == "admin" or (row["role"] == "staff" and row["here"])):
            raise InvalidInput("A trainer must be staff of the site.", code=codes.TRAINER_NOT_STAFF, trainer=user_id)


async def _room(tag: str | None, site_id: int) -> dict | None:
    if tag is None:
        return None
    room = await resource_by_tag(tag.strip())
    if room is None:
        raise NotFound(f"No item with tag {tag}.", code=codes.UNKNOWN_TAG)
    if room["kind"] != ROOM:
        raise InvalidInput("This item is not a room.", code=codes.NOT_A_ROOM)
    if room["site_id"] != site_id:
        raise InvalidInput("This room is at another site.", code=codes.ROOM_OTHER_SITE)
    return room


async def create_workshop(*, actor: CurrentUser, data: WorkshopIn, now: datetime | None = None) -> int:
    """Everything checked before the transaction; in it, the room's booking first (409
    booking_conflict when taken: nothing is kept), then the workshop, its holds and trainers."""
    now = now or clock.now()
    site = await require_site(data.site)
    scope.require_site(actor, site["id"], "This site")
    check_times(data.starts_at, data.ends_at)
    check_age_range(data.min_age, data.max_age)
    await _check_holds(data.holds, site["id"], data.capacity)
    await course_of_site(data.course, site["id"])
    await _check_trainers(data.trainers, site["id"])
    room = await _room(data.room, site["id"])
    async with DB.transaction():
        booking_id = None
        if room is not None:
            # Staff book past the rules (a workshop may run after hours), never past the no-overlap rule.
            booking = await create_booking(actor=actor, user_id=actor.id, starts_at=data.starts_at,
                                           ends_at=data.ends_at, resource_id=room["id"],
                                           purpose=f"Atelier : {data.title.strip()}", enforce_policy=False, now=now)
            booking_id = booking.id
        [row] = await Workshop.insert(Workshop(
            site=site["id"], course=data.course, title=data.title.strip() or data.title,
            description=data.description, starts_at=data.starts_at, ends_at=data.ends_at,
            room_booking=booking_id, capacity=data.capacity, min_age=data.min_age, max_age=data.max_age,
            audience=data.audience, open_to_visitors=data.open_to_visitors,
            held_free=sum(hold.seats for hold in data.holds), created_by=actor.id,
        )).returning(Workshop.id)
        for hold in data.holds:
            await WorkshopHold.insert(WorkshopHold(workshop=row["id"], partner=hold.partner, seats=hold.seats,
                                                   held_until=hold.held_until))
        for user_id in sorted(set(data.trainers)):
            await WorkshopTrainer.insert(WorkshopTrainer(workshop=row["id"], user=user_id))
    return row["id"]


async def update_workshop(*, actor: CurrentUser, workshop_id: int, changes: dict,
                          now: datetime | None = None) -> list[int]:
    """Title, description, capacity (never below seats taken plus held: 409 capacity_below_taken),
    age range, audience, course. More seats seat the waiting list at once. The registrations seated."""
    now = now or clock.now()
    async with DB.transaction():
        workshop = await require_locked(workshop_id)
        scope.require_site(actor, workshop["site_id"], "This workshop")
        check_age_range(changes.get("min_age", workshop["min_age"]), changes.get("max_age", workshop["max_age"]))
        if "course" in changes:
            await course_of_site(changes["course"], workshop["site_id"])
        capacity = changes.get("capacity", workshop["capacity"])
        if capacity < workshop["seats_taken"] + workshop["held_free"]:
            raise _below_taken(workshop)
        if "title" in changes:
            changes["title"] = changes["title"].strip() or changes["title"]
        try:
            await Workshop.update({**changes, Workshop.updated_at: db.NOW}).where(Workshop.id == workshop_id)
        except asyncpg.CheckViolationError as error:
            if getattr(error, "constraint_name", None) != CAPACITY_CHECK:
                raise
            raise _below_taken(workshop) from None
        if workshop["status"] != "scheduled" or workshop["starts_at"] <= now:
            return []
        return await seats.fill(await require_locked(workshop_id), now)


def _below_taken(workshop: dict) -> Conflict:
    return Conflict("The capacity cannot go below the seats taken and held.", code=codes.CAPACITY_BELOW_TAKEN,
                    seats_taken=workshop["seats_taken"], held_free=workshop["held_free"])


# Every seat and hold given back with the sign-ups: the counts stay equal to the registrations.
CANCEL_WORKSHOP = """
UPDATE workshop SET status = 'cancelled', cancelled_at = $2, cancel_note = $3, seats_taken = 0, held_free = 0,
       updated_at = now()
WHERE id = $1
"""
END_HOLDS = "UPDATE workshop_hold SET seats_taken = 0, released_at = coalesce(released_at, $2) WHERE workshop_id = $1"
ACTIVE_SIGN_UPS = "SELECT id FROM registration WHERE workshop_id = $1 AND status IN ('registered', 'waiting') ORDER BY id"


async def cancel_locked(workshop: dict, *, note: str, now: datetime, closure: bool = False,
                        actor: CurrentUser | None = None) -> list[int]:
    """Cancel a workshop its caller locked: its sign-ups (their people see it in the app), its
    holds, its room's booking. The sign-ups cancelled."""
    await db.fetch(CANCEL_WORKSHOP, workshop["id"], now, note)
    await db.fetch(END_HOLDS, workshop["id"], now)
    ids = [row["id"] for row in await db.fetch(ACTIVE_SIGN_UPS, workshop["id"])]
    await db.fetch(queries.CANCEL_REGISTRATIONS, ids, now, "workshop_cancelled")
    booking_id = workshop["room_booking_id"]
    if booking_id is not None:
        if closure:
            await booking_changes.cancel_for_closure(booking_ids=[booking_id], note=note, now=now)
        else:
            locked = [row for row in await booking_changes.lock_for_change([booking_id]) if row["status"] == "confirmed"]
            if locked:
                await booking_changes.cancel_locked(actor=actor, bookings=locked, now=now)
    return ids


async def cancel_workshop(*, actor: CurrentUser, workshop_id: int, note: str, now: datetime | None = None
                          ) -> list[int]:
    now = now or clock.now()
    async with DB.transaction():
        workshop = await require_locked(workshop_id)
        scope.require_site(actor, workshop["site_id"], "This workshop")
        if workshop["status"] == "cancelled":
            raise Conflict("This workshop is already cancelled.", code=codes.WORKSHOP_CANCELLED)
        return await cancel_locked(workshop, note=note.strip(), now=now, actor=actor)
