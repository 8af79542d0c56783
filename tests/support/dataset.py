"""A realistic dataset of any size, written by PostgreSQL itself (generate_series), in seconds.

The demo reference data (3 sites, 51 items, 34 users), then, when the size asks for it, more sites
of 50 items and 200 learners each, so that no item carries more than about 400 bookings (a year
and a half of working days). Each item gets one booking per working day going back from two weeks
ahead: laptops for the whole day, rooms and printers in the morning only, so afternoons stay free
for the benchmark's own bookings. Past bookings are mostly returned (with their check-out and
check-in movements), some cancelled or no-show; today's may be checked out; later ones confirmed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import asyncpg

from fablab.platform import db
from fablab.accounts.passwords import hash_password
from fablab.seed import DEMO_PASSWORD, seed_reference_data
from fablab.domain.tokens import hash_token, new_token

BOOKINGS_PER_ITEM = 400
ITEMS_PER_EXTRA_SITE = {"laptop": 40, "printer_3d": 4, "room": 6}
LEARNERS_PER_EXTRA_SITE = 200
DEMO_ITEMS = 51

EXTRA_SITES = """
INSERT INTO site (slug, name, address, opening_hours, contact)
SELECT format('load-%s', lpad(n::text, 3, '0')), format('Site de charge %s', n), '',
       (SELECT opening_hours FROM site WHERE slug = 'vlg'), ''
FROM generate_series(1, $1) AS n
"""
EXTRA_POLICIES = """
INSERT INTO policy (site_id, kind, training_id, unit, slot_minutes, min_length, max_length, max_days_ahead,
                    buffer_minutes, may_end_after_closing, checkout_grace_minutes, max_active_bookings,
                    max_hours_per_week)
SELECT s.id, p.kind, p.training_id, p.unit, p.slot_minutes, p.min_length, p.max_length, p.max_days_ahead,
       p.buffer_minutes, p.may_end_after_closing, p.checkout_grace_minutes, p.max_active_bookings,
       p.max_hours_per_week
FROM site s CROSS JOIN policy p
WHERE s.slug LIKE 'load-%' AND p.resource_id IS NULL AND p.site_id = (SELECT id FROM site WHERE slug = 'vlg')
"""
EXTRA_RESOURCES = """
INSERT INTO resource (site_id, kind, name, tag, details)
SELECT s.id, k.kind, format('%s %s', k.label, lpad(n::text, 2, '0')),
       format('L%s-%s-%s', substr(s.slug, 6), k.prefix, lpad(n::text, 3, '0')), '{}'::jsonb
FROM site s
CROSS JOIN (VALUES ('laptop', 'LAP', 'Portable', $1::int), ('printer_3d', 'P3D', 'Imprimante 3D', $2::int),
                   ('room', 'ROOM', 'Salle', $3::int)) AS k(kind, prefix, label, how_many)
CROSS JOIN LATERAL generate_series(1, k.how_many) AS n
WHERE s.slug LIKE 'load-%'
"""
EXTRA_USERS = """
INSERT INTO app_user (role, name, login, password_hash, site_id, cohort)
SELECT 'learner', format('Apprenant %s-%s', substr(s.slug, 6), n), format('%s.learner%s', s.slug, n), $2,
       s.id, upper(s.slug)
FROM site s CROSS JOIN generate_series(1, $1) AS n WHERE s.slug LIKE 'load-%'
UNION ALL
SELECT 'staff', format('Équipe %s', s.name), format('staff.%s', s.slug), $2, s.id, ''
FROM site s WHERE s.slug LIKE 'load-%'
"""

# $1 bookings wanted, $2 bookings per item at most, $3 the last working day of the series, $4 now.
BOOKINGS = """
WITH item AS (
    SELECT r.id, r.site_id, r.kind, (row_number() OVER (ORDER BY r.id) - 1)::int AS rn,
           count(*) OVER ()::int AS items,
           (SELECT array_agg(u.id ORDER BY u.id) FROM app_user u
             WHERE u.role = 'learner' AND u.site_id = r.site_id) AS learners
    FROM resource r WHERE r.tag NOT LIKE '%-DESK-%'
), slot AS (
    SELECT item.*, n, ($3::date - ((n / 5) * 7 + n % 5))::date AS day
    FROM item CROSS JOIN LATERAL generate_series(0, $2 - 1) AS n
    WHERE n * item.items + item.rn < $1
), timed AS (
    SELECT slot.*,
           ((day + CASE kind WHEN 'room' THEN time '09:00' + (n % 3) * interval '30 minutes'
                             ELSE time '09:00' END) AT TIME ZONE 'Europe/Paris') AS starts_at,
           ((day + CASE kind WHEN 'laptop' THEN time '18:00' WHEN 'printer_3d' THEN time '12:00'
                             ELSE time '10:30' + (n % 3) * interval '30 minutes' END)
             AT TIME ZONE 'Europe/Paris') AS ends_at,
           (n * 31 + rn * 17) % 20 AS luck,
           learners[1 + (n * 7 + rn) % array_length(learners, 1)] AS user_id
    FROM slot
), stated AS (
    SELECT timed.*,
           CASE WHEN ends_at <= $4 THEN CASE WHEN luck < 2 THEN 'cancelled' WHEN luck = 2 THEN 'no_show'
                                             ELSE 'returned' END
                WHEN starts_at <= $4 THEN 'checked_out'
                WHEN luck = 0 THEN 'cancelled'
                ELSE 'confirmed' END AS status
    FROM timed
)
INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until,
                     status, purpose, created_at, updated_at, checked_out_at, returned_at, cancelled_at, no_show_at)
SELECT id, site_id, kind, user_id, user_id, starts_at, ends_at, blocked_until, status, 'Jeu de données du banc d''essai',
       created_at, greatest(created_at, checked_out_at, returned_at, cancelled_at, no_show_at),
       checked_out_at, returned_at, cancelled_at, no_show_at
FROM stated
CROSS JOIN LATERAL (SELECT
       ends_at + CASE kind WHEN 'printer_3d' THEN interval '15 minutes' ELSE interval '0' END AS blocked_until,
       -- Every change happened in the past, as in a real database (feeds look for recent changes).
       least(starts_at - interval '3 days', $4 - interval '1 hour') AS created_at,
       CASE WHEN status IN ('returned', 'checked_out') THEN starts_at END AS checked_out_at,
       CASE WHEN status = 'returned' THEN ends_at END AS returned_at,
       CASE WHEN status = 'cancelled' THEN least(starts_at - interval '1 day', $4 - interval '30 minutes') END
         AS cancelled_at,
       CASE WHEN status = 'no_show' THEN starts_at + interval '30 minutes' END AS no_show_at) AS moments
"""
MOVEMENTS = """
INSERT INTO movement (resource_id, kind, booking_id, holder_id, staff_id, site_id, at, condition)
SELECT b.resource_id, m.kind, b.id, b.user_id, staff.id, b.site_id, m.at, 'ok'
FROM booking b
JOIN LATERAL (SELECT id FROM app_user WHERE role = 'staff' AND site_id = b.site_id ORDER BY id LIMIT 1) staff ON true
CROSS JOIN LATERAL (VALUES ('check_out', b.checked_out_at), ('check_in', b.returned_at)) AS m(kind, at)
WHERE b.status IN ('returned', 'checked_out') AND m.at IS NOT NULL
ORDER BY m.at
"""


@dataclass
class Dataset:
    ids: dict
    bookings: int
    extra_sites: int
    seconds: float
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


def last_working_day(on_or_before: date) -> date:
    while on_or_before.weekday() >= 5:
        on_or_before -= timedelta(days=1)
    return on_or_before


async def generate(url: str, bookings: int, *, now: datetime | None = None) -> Dataset:
    """Seed the demo reference data, then `bookings` bookings (and their movements) in one go."""
    now = now or datetime.now(timezone.utc)
    started = time.perf_counter()
    password_hash = hash_password(DEMO_PASSWORD)
    # Detached: a caller's own pool (a test session's) is set aside, not replaced.
    with db.detached(url):
        await db.start_pool(min_size=1, max_size=2)
        try:
            async with db.DB.transaction():
                ids = await seed_reference_data(password_hash)
        finally:
            await db.close_pool()
    items_needed = math.ceil(bookings / BOOKINGS_PER_ITEM)
    extra_sites = max(0, math.ceil((items_needed - DEMO_ITEMS) / sum(ITEMS_PER_EXTRA_SITE.values())))
    connection = await asyncpg.connect(url)
    try:
        # A scratch database: losing it in a crash costs nothing, so skip waiting for the disk.
        await connection.execute("SET synchronous_commit = off")
        try:
            # Rows consistent by construction: skip the per-row foreign-key and append-only triggers
            # (constraints and the exclusion index still apply). Needs a superuser; optional.
            await connection.execute("SET session_replication_role = replica")
        except asyncpg.InsufficientPrivilegeError:
            pass
        async with connection.transaction():
            if extra_sites:
                await connection.execute(EXTRA_SITES, extra_sites)
                await connection.execute(EXTRA_POLICIES)
                await connection.execute(EXTRA_RESOURCES, *ITEMS_PER_EXTRA_SITE.values())
                await connection.execute(EXTRA_USERS, LEARNERS_PER_EXTRA_SITE, password_hash)
            items = await connection.fetchval("SELECT count(*) FROM resource WHERE tag NOT LIKE '%-DESK-%'")
            per_item = math.ceil(bookings / items)
            anchor = last_working_day((now + timedelta(days=14)).date())
            timings = {}
            for name, sql, args in (("bookings", BOOKINGS, (bookings, per_item, anchor, now)),
                                    ("movements", MOVEMENTS, ())):
                step = time.perf_counter()
                await connection.execute(sql, *args)
                timings[name] = time.perf_counter() - step
        await connection.execute("RESET session_replication_role")
        step = time.perf_counter()
        await connection.execute("VACUUM ANALYZE")
        timings["vacuum"] = time.perf_counter() - step
        counts = {table: await connection.fetchval(f"SELECT count(*) FROM {table}")
                  for table in ("site", "resource", "app_user", "booking", "movement")}
    finally:
        await connection.close()
    return Dataset(ids=ids, bookings=counts["booking"], extra_sites=extra_sites,
                   seconds=time.perf_counter() - started, counts=counts, timings=timings)


async def seed_demo(url: str) -> dict:
    """Point the app's pool at `url` (left open for the caller) and seed the demo reference data."""
    db.configure(url)
    await db.start_pool(min_size=1, max_size=4)
    async with db.DB.transaction():
        return await seed_reference_data(hash_password(DEMO_PASSWORD))


async def open_sessions(connection: asyncpg.Connection, user_ids: list[int], hours: int = 6) -> dict[int, str]:
    """A session token per user, written straight into user_session (as a login would, minus argon2)."""
    tokens = {user_id: new_token() for user_id in user_ids}
    expires = datetime.now(timezone.utc) + timedelta(hours=hours)
    await connection.executemany(
        "INSERT INTO user_session (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        [(hash_token(token), user_id, expires) for user_id, token in tokens.items()],
    )
    return tokens
