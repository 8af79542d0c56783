"""Sign-ups: a seat or a place on the waiting list, and cancellations that seat the next person,
each in one transaction under the workshop's lock (the order of arrival is the order of the lock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.hooks import admission
from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.platform.db import DB
from fablab.domain.errors import Conflict, Forbidden, NotFound
from fablab.workshops import queries, seats
from fablab.workshops.rules import check_age
from fablab.workshops.service import ensure_participant, visible_participant


@dataclass(frozen=True)
class SignUp:
    id: int
    workshop_id: int
    participant_id: int
    status: str
    seat: str | None
    position: int | None


async def require_locked(workshop_id: int) -> dict:
    workshop = await seats.lock_workshop(workshop_id)
    if workshop is None:
        raise NotFound(f"No workshop {workshop_id}.", code=codes.UNKNOWN_WORKSHOP)
    return workshop


def check_open(workshop: dict, now: datetime) -> None:
    if workshop["status"] == "cancelled":
        raise Conflict("This workshop is cancelled.", code=codes.WORKSHOP_CANCELLED)
    if workshop["ends_at"] <= now:
        raise Conflict("This workshop is over.", code=codes.WORKSHOP_OVER)


async def _person(actor: CurrentUser, workshop: dict, participant_id: int | None) -> dict:
    """Who takes the seat: the signed-in person (a learner becomes a participant), or, for staff of
    the workshop's site, a participant of their sites."""
    if participant_id is None or participant_id == actor.id:
        if workshop["audience"] == "referral" and not scope.acts_for_site(actor, workshop["site_id"]):
            raise Forbidden("This workshop is for referred participants: ask the desk.", code=codes.REFERRAL_ONLY)
        await ensure_participant(actor.id, actor.id)
        return await visible_or_own(actor, actor.id)
    if not actor.is_staff:
        raise Forbidden("Only staff sign up someone else.", code=codes.NOT_ALLOWED_FOR_OTHERS)
    scope.require_site(actor, workshop["site_id"], "This workshop")
    return await visible_participant(actor, participant_id, enrol_learner=True)


async def visible_or_own(actor: CurrentUser, user_id: int) -> dict:
    row = await queries.participant(user_id)
    if row is None:
        raise NotFound(f"No participant {user_id}.", code=codes.UNKNOWN_PARTICIPANT)
    return row


async def _admit(actor: CurrentUser, workshop: dict, person: dict) -> None:
    check_age(min_age=workshop["min_age"], max_age=workshop["max_age"], day=workshop["starts_at"].date(),
              birth_date=person["birth_date"], birth_year=person["birth_year"])
    await admission.admit(admission.Taking(
        person_id=person["id"], site_id=workshop["site_id"], what="workshop", starts_at=workshop["starts_at"],
        ends_at=workshop["ends_at"], actor_id=actor.id, actor_is_staff=actor.is_staff, workshop_id=workshop["id"]))


async def register(*, actor: CurrentUser, workshop_id: int, participant_id: int | None = None,
                   now: datetime | None = None) -> SignUp:
    """A seat (the person's partner's hold first, then the open pool) or the waiting list's end.
    The waiting list is seated first if holds just ended, so nobody passes the people waiting."""
    now = now or clock.now()
    async with DB.transaction():
        workshop = await require_locked(workshop_id)
        check_open(workshop, now)
        person = await _person(actor, workshop, participant_id)
        await _admit(actor, workshop, person)
        if await db.fetchone(queries.ACTIVE_REGISTRATION, workshop_id, person["id"]):
            raise Conflict("Already signed up for this workshop.", code=codes.ALREADY_REGISTERED)
        # After every writer the waiting list is as seated as it can be; only a hold that just ended
        # has seats for it, and those go to the people waiting before this one.
        if await seats.release_holds(workshop_id, now):
            await seats.fill(workshop, now)
        seat = await seats.take_seat(workshop_id, person["partner_id"], now)
        status = "waiting" if seat is None else "registered"
        try:
            registration_id = await db.fetchval(queries.INSERT_REGISTRATION, workshop_id, person["id"], status, seat,
                                                person["partner_id"], actor.id, now)
        except asyncpg.UniqueViolationError:
            raise Conflict("Already signed up for this workshop.", code=codes.ALREADY_REGISTERED) from None
        position = await db.fetchval(queries.POSITION, registration_id) if seat is None else None
    return SignUp(registration_id, workshop_id, person["id"], status, seat, position)


async def cancel(*, actor: CurrentUser, workshop_id: int, registration_id: int,
                 now: datetime | None = None) -> list[int]:
    """The person themselves or staff of the workshop's site. A seat given back goes, in the same
    transaction, to the first waiting person who may take it. The registrations seated."""
    now = now or clock.now()
    async with DB.transaction():
        workshop = await require_locked(workshop_id)
        row = await db.fetchone(queries.LOCK_REGISTRATION, registration_id)
        staff = scope.acts_for_site(actor, workshop["site_id"])
        if row is None or row["workshop_id"] != workshop_id or (row["user_id"] != actor.id and not staff):
            raise NotFound(f"No sign-up {registration_id}.", code=codes.UNKNOWN_REGISTRATION)
        if row["status"] == "cancelled":
            raise Conflict("This sign-up is already cancelled.", code=codes.NOT_CANCELLABLE)
        await db.fetch(queries.CANCEL_REGISTRATIONS, [registration_id], now, None)
        if row["status"] == "registered":
            await seats.give_back_seat(workshop_id, row["partner_id"], row["seat"], now)
        if workshop["status"] != "scheduled" or workshop["starts_at"] <= now:
            return []
        return await seats.fill(workshop, now)

