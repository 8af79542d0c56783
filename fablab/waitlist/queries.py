"""Reads of the waitlist: entries as the API shows them, and the next entry an offer serves."""

from __future__ import annotations

from fablab.bookings.queries import holding

ENTRY_COLUMNS = """
w.id, w.user_id, u.login AS user_login, u.name AS user_name, u.role AS user_role, s.slug AS site, w.site_id,
w.kind, w.resource_id, r.tag AS resource, r.name AS resource_name, w.day, w.starts_at, w.ends_at, w.status,
w.booking_id, w.skip_reason, w.created_at, w.resolved_at, w.seen_at,
CASE WHEN w.status = 'waiting' THEN (
    SELECT count(*) FROM waitlist_entry o
    WHERE o.status = 'waiting' AND o.site_id = w.site_id AND o.kind = w.kind AND o.day = w.day AND o.id <= w.id)
END AS position
"""
ENTRY_FROM = """
FROM waitlist_entry w JOIN app_user u ON u.id = w.user_id JOIN site s ON s.id = w.site_id
LEFT JOIN resource r ON r.id = w.resource_id
"""

# The next entry the freed unit $3 can still serve: its wish overlaps the freed range and nothing
# on the unit (the bookings just made for earlier entries included) holds the wish's time. An entry
# the unit can no longer serve is not locked: another freeing transaction, which skips locked
# entries, would otherwise pass that person over while this one tries them in vain.
NEXT_CANDIDATE = f"""
SELECT w.id FROM waitlist_entry w
WHERE w.status = 'waiting' AND w.site_id = $1 AND w.kind = $2 AND (w.resource_id IS NULL OR w.resource_id = $3)
  AND w.starts_at < $5 AND w.ends_at > $4 AND w.starts_at > $6 AND NOT (w.id = ANY($7::bigint[]))
  AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.resource_id = $3 AND {holding("b", "w.starts_at", "w.ends_at")})
ORDER BY w.id LIMIT 1
FOR NO KEY UPDATE SKIP LOCKED
"""

# Raw: the entry row locked while it is served or changed.
LOCK_ENTRY = "SELECT id, user_id, site_id, status FROM waitlist_entry WHERE id = $1 FOR NO KEY UPDATE"

# Raw: the booker as a CurrentUser, staff sites included (an ARRAY subquery), in one round trip.
ACTIVE_BOOKER = """
SELECT u.id, u.login, u.name, u.role, u.site_id, s.slug AS site,
       ARRAY(SELECT ss.site_id FROM staff_site ss WHERE ss.user_id = u.id) AS site_ids
FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE u.id = $1 AND u.active
"""

NEXT_WAITING = """
SELECT w.id FROM waitlist_entry w
WHERE w.status = 'waiting' AND w.starts_at > $1 AND NOT (w.id = ANY($2::bigint[]))
ORDER BY w.id LIMIT 1
FOR NO KEY UPDATE SKIP LOCKED
"""

# --- A person's data (fablab/waitlist/person.py declares what each statement is for) ------------
PERSON_WAITLIST = """
SELECT w.id, s.slug AS site, w.kind, w.day, w.starts_at, w.ends_at, w.status, w.booking_id, w.created_at
FROM waitlist_entry w JOIN site s ON s.id = w.site_id WHERE w.user_id = $1 ORDER BY w.created_at, w.id
"""
# Waitlist entries are wishes, worth nothing once resolved: gone rather than anonymised.
RETAIN_WAITLIST = """
DELETE FROM waitlist_entry WHERE status <> 'waiting' AND coalesce(resolved_at, created_at) < $1 RETURNING id
"""
PERSON_LEAVE_WAITLIST = """
UPDATE waitlist_entry SET status = 'removed', resolved_at = now(), skip_reason = 'inactive_user'
WHERE user_id = $1 AND status = 'waiting' RETURNING id
"""
