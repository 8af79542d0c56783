"""Reads of the visitors domain, and the statement that forgets visitors (each says why it is raw)."""

from __future__ import annotations

from datetime import date

from fablab.domain import codes
from fablab.platform import db
from fablab.accounts.privacy import VISITOR_DAYS_SQL
from fablab.domain.errors import NotFound
from fablab.visitors.rules import FORGOTTEN_NAME

# Raw: a join of three tables, the desk's list and a visitor's page.
VISITOR_COLUMNS = """
u.id, u.name, u.site_id, s.slug AS site, s.timezone, v.valid_from, v.valid_until, v.age_band, v.purpose,
v.created_at, v.anonymised_at
"""
VISITOR_FROM = "FROM visitor_pass v JOIN app_user u ON u.id = v.user_id JOIN site s ON s.id = v.site_id"

# The visitors whose pass covers a day at these sites (the desk's "today"), newest first.
OF_DAY = f"""
SELECT {VISITOR_COLUMNS} {VISITOR_FROM}
WHERE v.site_id = ANY($1::int[]) AND v.valid_from <= $2 AND v.valid_until >= $2 AND v.anonymised_at IS NULL
ORDER BY v.created_at DESC, u.id DESC LIMIT 500
"""
OF_DAY_EVERYWHERE = f"""
SELECT {VISITOR_COLUMNS} {VISITOR_FROM}
WHERE v.valid_from <= $1 AND v.valid_until >= $1 AND v.anonymised_at IS NULL
ORDER BY v.created_at DESC, u.id DESC LIMIT 500
"""


async def visitor(user_id: int) -> dict | None:
    return await db.fetchone(f"SELECT {VISITOR_COLUMNS} {VISITOR_FROM} WHERE v.user_id = $1", user_id)


async def require_visitor(user_id: int) -> dict:
    row = await visitor(user_id)
    if row is None or row["anonymised_at"] is not None:
        raise NotFound(f"No visitor {user_id}.", code=codes.UNKNOWN_VISITOR)
    return row


async def visitors_of_day(site_ids: list[int] | None, day: date) -> list[dict]:
    if site_ids is None:
        return await db.fetch(OF_DAY_EVERYWHERE, day)
    return await db.fetch(OF_DAY, site_ids, day)


# Forgets the visitors whose pass ended more than the admin's delay ago (local days of its site): the
# pass keeps its site, days and age band, the person's row its role, site and creation time, so the
# impact report counts them still; name, purpose, pass and birth go. One statement, so both rows
# change together. $1: now. It writes app_user's personal columns the way an erasure does
# (fablab/people), on the visitors' own clock rather than the retention period's.
FORGET_EXPIRED = f"""
WITH due AS (
    UPDATE visitor_pass v SET purpose = '', created_by_id = NULL, anonymised_at = $1
    FROM site s
    WHERE s.id = v.site_id AND v.anonymised_at IS NULL
      AND v.valid_until + {VISITOR_DAYS_SQL} < ($1::timestamptz AT TIME ZONE s.timezone)::date
    RETURNING v.user_id
)
UPDATE app_user u SET name = '{FORGOTTEN_NAME}', email = NULL, cohort = '', birth_date = NULL, birth_year = NULL,
       pass_token_hash = NULL, pass_version = u.pass_version + 1, active = false, anonymised_at = $1, updated_at = $1
FROM due WHERE u.id = due.user_id AND u.role = 'visitor'
RETURNING u.id
"""

# What a visitor's pass says about them, for their export.
PERSON_VISITOR_PASS = """
SELECT s.slug AS site, v.valid_from, v.valid_until, v.age_band, v.purpose, v.created_at, v.anonymised_at,
       CASE WHEN v.user_id = $1 THEN 'visitor' ELSE 'staff' END AS involvement
FROM visitor_pass v JOIN site s ON s.id = v.site_id WHERE v.user_id = $1 OR v.created_by_id = $1
ORDER BY v.created_at
"""
