"""Reads and named SQL of late returns: a site's policy, strikes, suspensions."""

from __future__ import annotations

from datetime import datetime

from fablab.platform import db
from fablab.late.rules import LatePolicy

POLICY_FIELDS = ("enabled", "grace_minutes", "strikes", "window_days", "suspension_days")

# Raw: read inside every check-in's transaction (the desk's hot path).
POLICY_OF_SITE = "SELECT enabled, grace_minutes, strikes, window_days, suspension_days FROM late_policy WHERE site_id = $1"

# Raw: ON CONFLICT on the loan (a check-in retried records one strike); learners only, as only
# they are held to the booking rules. $1 user, $2 booking, $3 site, $4 due, $5 returned.
RECORD_STRIKE = """
INSERT INTO late_strike (user_id, booking_id, site_id, due_at, returned_at)
SELECT u.id, $2, $3, $4, $5 FROM app_user u WHERE u.id = $1 AND u.role = 'learner'
ON CONFLICT (booking_id) DO NOTHING RETURNING id
"""

# Raw: one learner's check-ins counted one at a time (two desks returning two of their loans at once).
LOCK_LEARNER = "SELECT pg_advisory_xact_lock(31031, $1)"

# Strikes at the site within the window, not counting those an earlier suspension already answered.
# $1 user, $2 site, $3 window start.
STRIKES_IN_WINDOW = """
SELECT count(*) FROM late_strike s
WHERE s.user_id = $1 AND s.site_id = $2 AND s.returned_at > $3
  AND s.returned_at > coalesce((SELECT max(p.starts_at) FROM suspension p WHERE p.user_id = $1 AND p.site_id = $2),
                               '-infinity'::timestamptz)
"""

INSERT_SUSPENSION = """
INSERT INTO suspension (user_id, site_id, starts_at, ends_at, strikes, window_days)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
"""

SUSPENSION_COLUMNS = """
p.id, s.slug AS site, s.name AS site_name, p.starts_at, p.ends_at, p.strikes, p.window_days, p.lifted_at,
lb.name AS lifted_by, p.lift_reason
"""

# Raw: asked by every booking and check-out (fablab/hooks/admission.py). $1 person, $2 site, $3 now.
ACTIVE_AT_SITE = f"""
SELECT {SUSPENSION_COLUMNS} FROM suspension p JOIN site s ON s.id = p.site_id LEFT JOIN app_user lb ON lb.id = p.lifted_by_id
WHERE p.user_id = $1 AND p.site_id = $2 AND p.lifted_at IS NULL AND p.starts_at <= $3 AND p.ends_at > $3
ORDER BY p.ends_at DESC LIMIT 1
"""

SUSPENSIONS_OF_USER = f"""
SELECT {SUSPENSION_COLUMNS}, (p.lifted_at IS NULL AND p.starts_at <= $2 AND p.ends_at > $2) AS active
FROM suspension p JOIN site s ON s.id = p.site_id LEFT JOIN app_user lb ON lb.id = p.lifted_by_id
WHERE p.user_id = $1 ORDER BY p.starts_at DESC LIMIT 50
"""

STRIKES_OF_USER = """
SELECT k.id, s.slug AS site, r.tag AS resource, r.name AS resource_name, k.due_at, k.returned_at
FROM late_strike k JOIN site s ON s.id = k.site_id JOIN booking b ON b.id = k.booking_id
JOIN resource r ON r.id = b.resource_id
WHERE k.user_id = $1 AND k.returned_at > $2 ORDER BY k.returned_at DESC LIMIT 50
"""

# $1 user, $2 now, $3 staff, $4 reason, $5 the site ids the staff may lift at (NULL: every site).
LIFT = """
UPDATE suspension SET lifted_at = $2, lifted_by_id = $3, lift_reason = $4
WHERE user_id = $1 AND lifted_at IS NULL AND starts_at <= $2 AND ends_at > $2
  AND ($5::int[] IS NULL OR site_id = ANY($5::int[]))
RETURNING id
"""

UPSERT_POLICY = """
INSERT INTO late_policy (site_id, enabled, grace_minutes, strikes, window_days, suspension_days, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, now())
ON CONFLICT (site_id) DO UPDATE SET enabled = $2, grace_minutes = $3, strikes = $4, window_days = $5,
    suspension_days = $6, updated_at = now()
"""

# The person lifecycle (fablab/late/person.py).
PERSON_STRIKES = """
SELECT s.slug AS site, k.due_at, k.returned_at FROM late_strike k JOIN site s ON s.id = k.site_id
WHERE k.user_id = $1 ORDER BY k.returned_at
"""
PERSON_SUSPENSIONS = """
SELECT s.slug AS site, p.starts_at, p.ends_at, p.strikes, p.window_days, p.lifted_at, p.lift_reason
FROM suspension p JOIN site s ON s.id = p.site_id WHERE p.user_id = $1 ORDER BY p.starts_at
"""
RETAIN_STRIKES = "UPDATE late_strike SET user_id = NULL WHERE returned_at < $1 AND user_id IS NOT NULL RETURNING id"
RETAIN_SUSPENSIONS = """
UPDATE suspension SET user_id = NULL, lifted_by_id = NULL, lift_reason = CASE WHEN lift_reason IS NULL THEN NULL ELSE '' END
WHERE ends_at < $1 AND (user_id IS NOT NULL OR lifted_by_id IS NOT NULL) RETURNING id
"""


async def policy_of(site_id: int) -> LatePolicy:
    row = await db.fetchone(POLICY_OF_SITE, site_id)
    return LatePolicy(**row) if row else LatePolicy()


async def active_at_site(person_id: int, site_id: int, now: datetime) -> dict | None:
    return await db.fetchone(ACTIVE_AT_SITE, person_id, site_id, now)
