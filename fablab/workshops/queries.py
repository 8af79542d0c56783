"""Reads of the workshops domain, and the raw statements its services run (each says why it is raw)."""

from __future__ import annotations

from datetime import datetime

from fablab.domain import codes
from fablab.platform import db
from fablab.domain.errors import NotFound

PARTNER_COLUMNS = "p.id, p.site_id, s.slug AS site, p.name, p.kind, p.contact, p.active"


async def partners(site_ids: list[int] | None) -> list[dict]:
    filters = db.Filters().given(("p.site_id = ANY({}::int[])", site_ids))
    return await db.fetch(f"SELECT {PARTNER_COLUMNS} FROM partner p JOIN site s ON s.id = p.site_id "
                          f"{filters.where()} ORDER BY s.slug, lower(p.name)", *filters.args)


async def require_partner(partner_id: int) -> dict:
    row = await db.fetchone(f"SELECT {PARTNER_COLUMNS} FROM partner p JOIN site s ON s.id = p.site_id "
                            "WHERE p.id = $1", partner_id)
    if row is None:
        raise NotFound(f"No partner {partner_id}.", code=codes.UNKNOWN_PARTNER)
    return row


# Raw: a join of four tables and a name search, the desk's list of young people.
PARTICIPANT_COLUMNS = """
u.id, u.name, u.site_id, s.slug AS site, u.birth_date, u.birth_year, u.role, u.active,
p.partner_id, pa.name AS partner_name, pa.kind AS partner_kind, p.status
"""
PARTICIPANT_FROM = """
FROM participant p JOIN app_user u ON u.id = p.user_id LEFT JOIN site s ON s.id = u.site_id
LEFT JOIN partner pa ON pa.id = p.partner_id
"""


async def participants(site_ids: list[int] | None, text: str | None, limit: int = 200) -> list[dict]:
    filters = db.Filters("u.active", "u.anonymised_at IS NULL").given(
        ("u.site_id = ANY({}::int[])", site_ids),
        ("u.name ILIKE {}", None if not text else "%" + text.replace("\\", "\\\\").replace("%", "\\%")
                                                         .replace("_", "\\_") + "%"))
    return await db.fetch(f"SELECT {PARTICIPANT_COLUMNS} {PARTICIPANT_FROM} {filters.where()} "
                          f"ORDER BY lower(u.name), u.id LIMIT {int(limit)}", *filters.args)


async def participant(user_id: int) -> dict | None:
    return await db.fetchone(f"SELECT {PARTICIPANT_COLUMNS} {PARTICIPANT_FROM} WHERE u.id = $1", user_id)


async def require_participant(user_id: int) -> dict:
    row = await participant(user_id)
    if row is None:
        raise NotFound(f"No participant {user_id}.", code=codes.UNKNOWN_PARTICIPANT)
    return row


# A learner who signs up becomes a participant (no partner, status unknown) the first time.
ENSURE_PARTICIPANT = """
INSERT INTO participant (user_id, created_by_id) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING
"""

# Raw: what every workshop answer shows, seats left and the waiting list's length included.
WORKSHOP_COLUMNS = """
w.id, w.site_id, s.slug AS site, s.timezone, w.course_id, w.title, w.description, w.starts_at, w.ends_at,
w.room_booking_id, r.name AS room, w.capacity, w.min_age, w.max_age, w.audience, w.open_to_visitors, w.status,
w.cancel_note, w.seats_taken, w.held_free, GREATEST(w.capacity - w.seats_taken - w.held_free, 0) AS seats_left,
(SELECT count(*) FROM registration g WHERE g.workshop_id = w.id AND g.status = 'waiting') AS waiting
"""
WORKSHOP_FROM = """
FROM workshop w JOIN site s ON s.id = w.site_id
LEFT JOIN booking b ON b.id = w.room_booking_id LEFT JOIN resource r ON r.id = b.resource_id
"""


async def workshop(workshop_id: int) -> dict | None:
    return await db.fetchone(f"SELECT {WORKSHOP_COLUMNS} {WORKSHOP_FROM} WHERE w.id = $1", workshop_id)


async def require_workshop(workshop_id: int) -> dict:
    row = await workshop(workshop_id)
    if row is None:
        raise NotFound(f"No workshop {workshop_id}.", code=codes.UNKNOWN_WORKSHOP)
    return row


async def workshops(*, site_id: int | None, starts: datetime | None, ends: datetime | None,
                    with_cancelled: bool = True, limit: int = 500) -> list[dict]:
    filters = db.Filters().given(("w.site_id = {}", site_id), ("w.ends_at > {}", starts), ("w.starts_at < {}", ends))
    if not with_cancelled:
        filters.conditions.append("w.status = 'scheduled'")
    return await db.fetch(f"SELECT {WORKSHOP_COLUMNS} {WORKSHOP_FROM} {filters.where()} "
                          f"ORDER BY w.starts_at, w.id LIMIT {int(limit)}", *filters.args)


async def holds(workshop_id: int) -> list[dict]:
    return await db.fetch(
        "SELECT h.partner_id, pa.name AS partner_name, h.seats, h.held_until, h.seats_taken, "
        "h.released_at IS NOT NULL AS released FROM workshop_hold h JOIN partner pa ON pa.id = h.partner_id "
        "WHERE h.workshop_id = $1 ORDER BY h.id", workshop_id)


async def trainers(workshop_id: int) -> list[dict]:
    return await db.fetch("SELECT u.id, u.name FROM workshop_trainer t JOIN app_user u ON u.id = t.user_id "
                          "WHERE t.workshop_id = $1 ORDER BY u.name", workshop_id)


# Raw: the row lock every sign-up, cancellation and change of a workshop takes first, so that they
# queue in one order (no deadlock) and the waiting list's order is the order of arrival.
LOCK_WORKSHOP = """
SELECT id, site_id, title, starts_at, ends_at, capacity, min_age, max_age, audience, status, seats_taken,
       held_free, room_booking_id, course_id
FROM workshop WHERE id = $1 FOR NO KEY UPDATE
"""

# Raw, the capacity's guarantee: an open seat is taken by the statement that checks one is left;
# the CHECK workshop_within_capacity refuses the rest whatever the number of workers.
TAKE_OPEN_SEAT = """
UPDATE workshop SET seats_taken = seats_taken + 1, updated_at = now()
WHERE id = $1 AND status = 'scheduled' AND seats_taken + held_free < capacity
RETURNING id
"""
# A seat of partner $2's hold still running at $3: the hold's count and the workshop's move together
# (a held seat becomes a taken one: seats_taken + held_free stays the same).
TAKE_HELD_SEAT = """
WITH hold AS (
    UPDATE workshop_hold SET seats_taken = seats_taken + 1
    WHERE workshop_id = $1 AND partner_id = $2 AND released_at IS NULL AND held_until > $3 AND seats_taken < seats
    RETURNING id)
UPDATE workshop w SET seats_taken = w.seats_taken + 1, held_free = w.held_free - 1, updated_at = now()
FROM hold WHERE w.id = $1 AND w.status = 'scheduled'
RETURNING hold.id
"""
# A seat given back: a held one goes back to its hold while the hold runs, any other to everyone.
GIVE_BACK_SEAT = """
WITH hold AS (
    UPDATE workshop_hold SET seats_taken = seats_taken - 1
    WHERE workshop_id = $1 AND partner_id = $2 AND $4 = 'partner'
    RETURNING released_at IS NULL AND held_until > $3 AS running)
UPDATE workshop SET seats_taken = seats_taken - 1,
       held_free = held_free + CASE WHEN (SELECT bool_or(running) FROM hold) THEN 1 ELSE 0 END, updated_at = now()
WHERE id = $1
"""
# Holds whose time is over give their untaken seats to everyone.
RELEASE_HOLDS = """
WITH released AS (
    UPDATE workshop_hold SET released_at = $2
    WHERE workshop_id = $1 AND released_at IS NULL AND held_until <= $2
    RETURNING seats - seats_taken AS untaken)
UPDATE workshop SET held_free = held_free - (SELECT sum(untaken) FROM released), updated_at = now()
WHERE id = $1 AND EXISTS (SELECT 1 FROM released)
RETURNING id
"""
# Workshops with a hold to release (the periodic job).
WORKSHOPS_WITH_HOLDS_DUE = """
SELECT DISTINCT workshop_id FROM workshop_hold WHERE released_at IS NULL AND held_until <= $1 ORDER BY workshop_id
"""

# Raw: the waiting list in order of arrival (the partial index registration_waiting).
WAITING = """
SELECT r.id, r.user_id, r.partner_id, u.birth_date, u.birth_year
FROM registration r LEFT JOIN app_user u ON u.id = r.user_id
WHERE r.workshop_id = $1 AND r.status = 'waiting' ORDER BY r.created_at, r.id
"""
# The person is told (notice, then the e-mail of the reminders' job: workshops/notices.py).
SEAT_WAITING = """
UPDATE registration SET status = 'registered', seat = $2, seated_at = $3, notice = 'seated', told_at = NULL
WHERE id = $1 AND status = 'waiting'
"""
# clock_timestamp(), not now(): taken under the workshop's lock, it is the order of arrival there.
INSERT_REGISTRATION = """
INSERT INTO registration (workshop_id, user_id, status, seat, partner_id, registered_by_id, created_at, seated_at)
VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), CASE WHEN $3 = 'registered' THEN $7::timestamptz END)
RETURNING id
"""
POSITION = """
SELECT count(*) FROM registration o, registration r
WHERE r.id = $1 AND o.workshop_id = r.workshop_id AND o.status = 'waiting' AND (o.created_at, o.id) <= (r.created_at, r.id)
"""
ACTIVE_REGISTRATION = """
SELECT id, status FROM registration WHERE workshop_id = $1 AND user_id = $2 AND status IN ('registered', 'waiting')
"""
LOCK_REGISTRATION = """
SELECT id, workshop_id, user_id, status, seat, partner_id FROM registration WHERE id = $1 FOR UPDATE
"""
# $3: what the person is told (workshop_cancelled), NULL when they cancelled it themselves.
CANCEL_REGISTRATIONS = """
UPDATE registration SET status = 'cancelled', cancelled_at = $2, seat = NULL, notice = $3, told_at = NULL
WHERE id = ANY($1::bigint[]) AND status IN ('registered', 'waiting')
RETURNING id
"""

# Raw: positions of the whole list in one pass (a window), and each sign-up's hours.
REGISTRATIONS = """
SELECT r.id, r.user_id AS participant, u.name, pa.name AS partner, r.status, r.seat, r.created_at,
       CASE WHEN r.status = 'waiting'
            THEN row_number() OVER (PARTITION BY r.status = 'waiting' ORDER BY r.created_at, r.id) END AS position,
       a.arrived_at, a.left_at, {hours} AS hours, {no_photo} AS no_photo
FROM registration r JOIN workshop w ON w.id = r.workshop_id LEFT JOIN app_user u ON u.id = r.user_id
LEFT JOIN partner pa ON pa.id = r.partner_id LEFT JOIN attendance a ON a.registration_id = r.id
WHERE r.workshop_id = $1 ORDER BY r.status = 'cancelled', r.status = 'waiting', r.created_at, r.id
"""
# Hours attended, counted within the workshop's own time (an early arrival is not a longer workshop).
# Hours attended, within the workshop's own time. LEAST and GREATEST skip NULLs, so without the CASE
# a sign-up with no attendance row (LEFT JOIN) would count the whole workshop.
HOURS = ("CASE WHEN a.registration_id IS NULL THEN 0 ELSE COALESCE(round((GREATEST(extract(epoch FROM "
         "LEAST(a.left_at, w.ends_at) - GREATEST(a.arrived_at, w.starts_at)), 0) / 3600)::numeric, 2), 0) END")

UPSERT_ATTENDANCE = f"""
WITH saved AS (
    INSERT INTO attendance (registration_id, arrived_at, left_at, recorded_by_id) VALUES ($1, $2, $3, $4)
    ON CONFLICT (registration_id) DO UPDATE
    SET arrived_at = EXCLUDED.arrived_at, left_at = EXCLUDED.left_at, recorded_by_id = EXCLUDED.recorded_by_id,
        recorded_at = now()
    RETURNING registration_id, arrived_at, left_at)
SELECT a.registration_id, a.arrived_at, a.left_at, {HOURS} AS hours
FROM saved a JOIN registration r ON r.id = a.registration_id JOIN workshop w ON w.id = r.workshop_id
"""

MY_REGISTRATIONS = """
SELECT r.id, r.workshop_id, r.status, r.seat, r.seated_at, r.cancelled_at, r.notice,
       CASE WHEN r.status = 'waiting' THEN (
           SELECT count(*) FROM registration o WHERE o.workshop_id = r.workshop_id AND o.status = 'waiting'
             AND (o.created_at, o.id) <= (r.created_at, r.id)) END AS position
FROM registration r JOIN workshop w ON w.id = r.workshop_id
WHERE r.user_id = $1 AND w.ends_at > $2 ORDER BY w.starts_at, r.id
"""


async def my_registrations(user_id: int, now: datetime) -> list[dict]:
    return await db.fetch(MY_REGISTRATIONS, user_id, now)

COURSE = """
SELECT c.id, c.site_id, s.slug AS site, c.title, c.description, c.target_hours
FROM course c JOIN site s ON s.id = c.site_id WHERE c.id = $1
"""
async def courses(site_ids: list[int] | None) -> list[dict]:
    filters = db.Filters().given(("c.site_id = ANY({}::int[])", site_ids))
    return await db.fetch(
        "SELECT c.id, s.slug AS site, c.title, c.target_hours, "
        "(SELECT count(*) FROM workshop w WHERE w.course_id = c.id) AS workshops "
        f"FROM course c JOIN site s ON s.id = c.site_id {filters.where()} ORDER BY s.slug, lower(c.title), c.id",
        *filters.args)


COURSE_WORKSHOPS = """
SELECT id, title, starts_at, ends_at, status FROM workshop WHERE course_id = $1 ORDER BY starts_at, id
"""
# Raw: each participant's hours over the course's workshops (an aggregate over a join).
COURSE_PROGRESS = f"""
SELECT r.user_id AS participant, u.name, sum({HOURS}) AS hours
FROM registration r JOIN workshop w ON w.id = r.workshop_id JOIN app_user u ON u.id = r.user_id
LEFT JOIN attendance a ON a.registration_id = r.id
WHERE w.course_id = $1 AND r.status = 'registered' AND w.status = 'scheduled'
GROUP BY r.user_id, u.name ORDER BY lower(u.name), r.user_id
"""

# What a closure of [$2, $3) hits: the site's ($1; NULL: every site) scheduled workshops then.
CLOSURE_HITS = """
SELECT w.id, w.title, w.starts_at, w.ends_at, s.slug AS site FROM workshop w JOIN site s ON s.id = w.site_id
WHERE ($1::int IS NULL OR w.site_id = $1) AND w.status = 'scheduled'
  AND (w.starts_at AT TIME ZONE s.timezone)::date BETWEEN $2 AND $3 AND w.ends_at > $4
ORDER BY w.starts_at, w.id LIMIT $5
"""
