"""Reads and bookkeeping of series (booking_series); their occurrences are written by bookings."""

from __future__ import annotations

import json
from datetime import datetime

from fablab import db
from fablab.bookings.queries import BOOKING_SELECT

INSERT_SERIES = """
INSERT INTO booking_series (site_id, kind, resource_id, quantity, user_id, created_by_id, purpose, rule)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING id
"""

SERIES_SELECT = """
SELECT bs.id, bs.site_id, s.slug AS site, bs.kind, r.tag AS resource, bs.quantity, bs.purpose, bs.rule::text AS rule,
       bs.created_at, bs.cancelled_at, bs.user_id, u.login AS user_login, u.name AS user_name
FROM booking_series bs JOIN site s ON s.id = bs.site_id LEFT JOIN resource r ON r.id = bs.resource_id
LEFT JOIN app_user u ON u.id = bs.user_id
WHERE bs.id = $1
"""

UNIT_OF_TAG = """
SELECT r.id, r.tag, r.kind, r.status, s.slug FROM resource r JOIN site s ON s.id = r.site_id
WHERE upper(r.tag) = upper($1)
"""

async def insert_series(*, site_id: int, kind: str, resource_id: int | None, quantity: int, user_id: int,
                        created_by_id: int, purpose: str, rule: dict) -> int:
    return await db.fetchval(INSERT_SERIES, site_id, kind, resource_id, quantity, user_id, created_by_id, purpose,
                             json.dumps(rule))


async def mark_cancelled(series_id: int, now: datetime) -> None:
    await db.fetch("UPDATE booking_series SET cancelled_at = $2 WHERE id = $1", series_id, now)


async def series_row(series_id: int) -> dict | None:
    return await db.fetchone(SERIES_SELECT, series_id)


async def unit_of_tag(tag: str) -> dict | None:
    return await db.fetchone(UNIT_OF_TAG, tag)


async def bookings_of_series(series_id: int) -> list[dict]:
    return await db.fetch(f"{BOOKING_SELECT} WHERE b.series_id = $1 ORDER BY b.starts_at, b.id", series_id)
