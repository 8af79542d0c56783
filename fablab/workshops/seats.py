"""A workshop's seats, under its row lock: taking one (a partner's hold first, then the open pool),
giving one back, holds that end, and the waiting list that fills itself (docs/ARCHITECTURE.md)."""

from __future__ import annotations

from datetime import datetime

from fablab.hooks import admission
from fablab.platform import db
from fablab.domain.errors import DomainError
from fablab.workshops import queries
from fablab.workshops.rules import check_age


async def lock_workshop(workshop_id: int) -> dict | None:
    """Every writer of a workshop's seats takes this first, in its transaction."""
    return await db.fetchone(queries.LOCK_WORKSHOP, workshop_id)


async def take_seat(workshop_id: int, partner_id: int | None, now: datetime) -> str | None:
    """'partner' (a seat of the person's partner's running hold), 'open', or None when full.
    Each is one statement that checks and counts; PostgreSQL's CHECK stays the guarantee."""
    if partner_id is not None and await db.fetchone(queries.TAKE_HELD_SEAT, workshop_id, partner_id, now):
        return "partner"
    if await db.fetchone(queries.TAKE_OPEN_SEAT, workshop_id):
        return "open"
    return None


async def give_back_seat(workshop_id: int, partner_id: int | None, seat: str, now: datetime) -> None:
    await db.fetch(queries.GIVE_BACK_SEAT, workshop_id, partner_id, now, seat)


async def release_holds(workshop_id: int, now: datetime) -> bool:
    """Holds whose time is over give their untaken seats to everyone; whether one did."""
    return bool(await db.fetch(queries.RELEASE_HOLDS, workshop_id, now))


async def may_take(workshop: dict, row: dict, now: datetime) -> bool:
    """Whether a waiting person may take a seat now: the workshop's age range and every admission
    check (fablab/hooks/admission.py). A refusal skips them; they keep their place."""
    try:
        check_age(min_age=workshop["min_age"], max_age=workshop["max_age"], day=workshop["starts_at"].date(),
                  birth_date=row["birth_date"], birth_year=row["birth_year"])
        if row["user_id"] is not None:
            await admission.admit(admission.Taking(
                person_id=row["user_id"], site_id=workshop["site_id"], what="workshop",
                starts_at=workshop["starts_at"], ends_at=workshop["ends_at"], actor_id=row["user_id"],
                actor_is_staff=False, workshop_id=workshop["id"]))
    except DomainError:
        return False
    return True


async def _free_seats(workshop_id: int, now: datetime) -> tuple[int, set[int]]:
    """Open seats left, and the partners whose running hold has a seat left."""
    open_left = await db.fetchval(
        "SELECT capacity - seats_taken - held_free FROM workshop WHERE id = $1 AND status = 'scheduled'", workshop_id)
    rows = await db.fetch("SELECT partner_id FROM workshop_hold WHERE workshop_id = $1 AND released_at IS NULL "
                          "AND held_until > $2 AND seats_taken < seats", workshop_id, now)
    return max(open_left or 0, 0), {row["partner_id"] for row in rows}


async def fill(workshop: dict, now: datetime) -> list[int]:
    """Release the holds whose time is over, then seat the waiting list in order of arrival: each
    free seat to the first waiting person who may take it (a held seat to its partner's people
    only). In the caller's transaction, under the workshop's lock. The registrations seated."""
    await release_holds(workshop["id"], now)
    open_left, holds_free = await _free_seats(workshop["id"], now)
    seated = []
    for row in await db.fetch(queries.WAITING, workshop["id"]) if open_left or holds_free else []:
        if not open_left and row["partner_id"] not in holds_free:
            continue
        if not await may_take(workshop, row, now):
            continue
        seat = await take_seat(workshop["id"], row["partner_id"], now)
        if seat is None:
            continue
        await db.fetch(queries.SEAT_WAITING, row["id"], seat, now)
        seated.append(row["id"])
        open_left, holds_free = await _free_seats(workshop["id"], now)
        if not open_left and not holds_free:
            break
    return seated
