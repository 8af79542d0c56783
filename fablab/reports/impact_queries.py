"""Reads of the impact report (fablab/reports/impact.py computes the figures from these rows).

Raw SQL, named here: each read joins four or five tables and bounds workshops by the local days of
each one's own site (`AT TIME ZONE s.timezone`), which Piccolo's builder cannot say.
$1 is always the sites' ids, $2 and $3 the period's first and last local days.
"""

from __future__ import annotations

from datetime import date

from fablab.platform import db
from fablab.reports.impact import PARTICIPANT_ROLES, ImpactRows

# The local days [$2, $3] of the workshop's site, as instants.
IN_PERIOD = """w.starts_at >= ($2::date::timestamp AT TIME ZONE s.timezone)
  AND w.starts_at < (($3::date + 1)::timestamp AT TIME ZONE s.timezone)"""

WORKSHOPS = f"""
SELECT w.id, w.site_id, w.course_id, w.starts_at, w.ends_at, w.capacity, w.status, s.timezone
FROM workshop w JOIN site s ON s.id = w.site_id
WHERE w.site_id = ANY($1::int[]) AND {IN_PERIOD}
ORDER BY w.starts_at, w.id
"""

# Seats held (registered) in the period's workshops not cancelled, with who and when they came.
SEATS = f"""
SELECT r.id, r.workshop_id, r.user_id, u.role, a.arrived_at, a.left_at
FROM registration r JOIN workshop w ON w.id = r.workshop_id JOIN site s ON s.id = w.site_id
LEFT JOIN app_user u ON u.id = r.user_id LEFT JOIN attendance a ON a.registration_id = r.id
WHERE w.site_id = ANY($1::int[]) AND {IN_PERIOD} AND w.status <> 'cancelled' AND r.status = 'registered'
ORDER BY r.id
"""

PEOPLE = """
SELECT u.id, u.birth_date, u.birth_year, p.status, p.partner_id
FROM app_user u LEFT JOIN participant p ON p.user_id = u.id WHERE u.id = ANY($1::int[])
"""

PARTNERS = """
SELECT pa.id, pa.name, pa.kind, s.slug AS site, s.name AS site_name
FROM partner pa JOIN site s ON s.id = pa.site_id WHERE pa.id = ANY($1::int[])
"""

# Who among $3 came to a workshop of these sites before the period's first local day, and where.
RETURNING = """
SELECT DISTINCT r.user_id, w.site_id
FROM attendance a JOIN registration r ON r.id = a.registration_id JOIN workshop w ON w.id = r.workshop_id
JOIN site s ON s.id = w.site_id
WHERE w.site_id = ANY($1::int[]) AND w.status <> 'cancelled' AND r.status = 'registered'
  AND w.starts_at < ($2::date::timestamp AT TIME ZONE s.timezone) AND r.user_id = ANY($3::int[])
"""

COURSES = """
SELECT c.id, c.title, c.target_hours, s.slug AS site, s.name AS site_name
FROM course c JOIN site s ON s.id = c.site_id WHERE c.site_id = ANY($1::int[])
"""

# Every participant's attendance in those courses up to the period's end: their hours before it
# decide whether they complete the course within it.
COURSE_ATTENDANCE = """
SELECT r.user_id, u.role, w.course_id, w.id AS workshop_id, w.starts_at, w.ends_at, s.timezone,
       a.arrived_at, a.left_at
FROM attendance a JOIN registration r ON r.id = a.registration_id JOIN workshop w ON w.id = r.workshop_id
JOIN site s ON s.id = w.site_id JOIN course c ON c.id = w.course_id JOIN app_user u ON u.id = r.user_id
WHERE c.site_id = ANY($1::int[]) AND w.status <> 'cancelled' AND r.status = 'registered'
  AND u.role = ANY($3::text[]) AND w.starts_at < (($2::date + 1)::timestamp AT TIME ZONE s.timezone)
"""

# Visitors' rows stay after their anonymisation (issue 30), so the period's count stays true.
VISITORS = """
SELECT u.id, u.site_id, u.created_at, s.timezone
FROM app_user u JOIN site s ON s.id = u.site_id
WHERE u.role = 'visitor' AND u.site_id = ANY($1::int[])
  AND u.created_at >= ($2::date::timestamp AT TIME ZONE s.timezone)
  AND u.created_at < (($3::date + 1)::timestamp AT TIME ZONE s.timezone)
"""

SITES = "SELECT id, slug, name, timezone FROM site WHERE id = ANY($1::int[]) ORDER BY name"
ALL_SITE_IDS = "SELECT id FROM site ORDER BY id"


async def all_site_ids() -> list[int]:
    return [row["id"] for row in await db.fetch(ALL_SITE_IDS)]


async def sites(site_ids: list[int]) -> list[dict]:
    return await db.fetch(SITES, site_ids)


async def impact_rows(site_ids: list[int], first: date, last: date) -> ImpactRows:
    """Everything the figures need, for these sites and the local days [first, last]."""
    workshops = await db.fetch(WORKSHOPS, site_ids, first, last)
    seats = await db.fetch(SEATS, site_ids, first, last)
    user_ids = sorted({seat["user_id"] for seat in seats
                       if seat["user_id"] is not None and seat["role"] in PARTICIPANT_ROLES})
    people = {row["id"]: row for row in await db.fetch(PEOPLE, user_ids)}
    partner_ids = sorted({row["partner_id"] for row in people.values() if row["partner_id"] is not None})
    partners = {row.pop("id"): row for row in await db.fetch(PARTNERS, partner_ids)}
    earlier = await db.fetch(RETURNING, site_ids, first, user_ids)
    courses = {row.pop("id"): row for row in await db.fetch(COURSES, site_ids)}
    course_attendance = await db.fetch(COURSE_ATTENDANCE, site_ids, last, list(PARTICIPANT_ROLES))
    visitors = await db.fetch(VISITORS, site_ids, first, last)
    return ImpactRows(workshops=workshops, seats=seats, people=people, partners=partners,
                      returning={row["user_id"] for row in earlier},
                      returning_at={(row["user_id"], row["site_id"]) for row in earlier},
                      courses=courses, course_attendance=course_attendance, visitors=visitors)
