"""Reads and bookkeeping of series (booking_series); their occurrences are written by bookings."""

from __future__ import annotations

import json
from datetime import datetime

from fablab.platform import db
from fablab.bookings.queries import BOOKING_SELECT
from fablab.platform.db import NOW
from fablab.tables import BookingSeries, User

# Raw: upper(tag) is the expression index the lookup must hit.
UNIT_OF_TAG = """
SELECT r.id, r.tag, r.kind, r.status, s.slug FROM resource r JOIN site s ON s.id = r.site_id
WHERE upper(r.tag) = upper($1)
"""

# Raw: a row lock. The same one a single booking takes: a status change of the unit waits for the series.
SHARE_UNIT = "SELECT 1 FROM resource WHERE id = $1 FOR SHARE"


async def insert_series(*, site_id: int, kind: str, resource_id: int | None, quantity: int, user_id: int,
                        created_by_id: int, purpose: str, rule: dict) -> int:
    rows = await BookingSeries.insert(BookingSeries(
        site=site_id, kind=kind, resource=resource_id, quantity=quantity, user=user_id, created_by=created_by_id,
        purpose=purpose, rule=json.dumps(rule), created_at=NOW)).returning(BookingSeries.id)
    return rows[0]["id"]


async def mark_cancelled(series_id: int, now: datetime) -> None:
    await BookingSeries.update({BookingSeries.cancelled_at: now}).where(BookingSeries.id == series_id)


async def series_row(series_id: int) -> dict | None:
    """The series with its site's slug, its unit's tag and its learner; `rule` as JSON text."""
    return await BookingSeries.select(
        BookingSeries.id, BookingSeries.site.as_alias("site_id"), BookingSeries.site.slug.as_alias("site"),
        BookingSeries.kind, BookingSeries.resource.tag.as_alias("resource"), BookingSeries.quantity,
        BookingSeries.purpose, BookingSeries.rule, BookingSeries.created_at, BookingSeries.cancelled_at,
        BookingSeries.user.as_alias("user_id"), BookingSeries.user.login.as_alias("user_login"),
        BookingSeries.user.name.as_alias("user_name"),
    ).where(BookingSeries.id == series_id).first()


async def user_is_active(user_id: int) -> bool:
    row = await User.select(User.active).where(User.id == user_id).first()
    return bool(row and row["active"])


async def unit_of_tag(tag: str) -> dict | None:
    return await db.fetchone(UNIT_OF_TAG, tag)


async def bookings_of_series(series_id: int) -> list[dict]:
    return await db.fetch(f"{BOOKING_SELECT} WHERE b.series_id = $1 ORDER BY b.starts_at, b.id", series_id)

# --- A person's data (fablab/series/person.py declares what each statement is for) --------------
PERSON_SERIES = """
SELECT bs.id, s.slug AS site, bs.kind, r.tag AS resource, bs.quantity, bs.purpose, bs.rule::text AS rule, bs.created_at,
       bs.cancelled_at
FROM booking_series bs JOIN site s ON s.id = bs.site_id LEFT JOIN resource r ON r.id = bs.resource_id
WHERE bs.user_id = $1 ORDER BY bs.created_at, bs.id
"""
RETAIN_SERIES = """
UPDATE booking_series bs SET user_id = NULL, created_by_id = NULL, purpose = ''
WHERE (bs.user_id IS NOT NULL OR bs.created_by_id IS NOT NULL OR bs.purpose <> '')
  AND bs.created_at < $1 AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.series_id = bs.id AND b.ends_at >= $1)
RETURNING id
"""
PERSON_END_SERIES = "UPDATE booking_series SET cancelled_at = now() WHERE user_id = $1 AND cancelled_at IS NULL RETURNING id"
