"""Reads for the reports: a site's resources and the bookings that touch a period."""

from __future__ import annotations

from datetime import datetime

from fablab.platform import db

# Retired units drop out of the report unless they were booked in the period.
REPORT_RESOURCES = """
SELECT r.id, r.tag, r.name, r.kind, r.status FROM resource r
WHERE r.site_id = $1 AND ($4::text IS NULL OR r.kind = $4)
  AND (r.status <> 'retired' OR EXISTS (
        SELECT 1 FROM booking b WHERE b.resource_id = r.id AND b.status <> 'cancelled'
          AND b.starts_at < $3 AND b.ends_at > $2))
ORDER BY r.kind, r.tag
"""

REPORT_BOOKINGS = """
SELECT b.id, b.resource_id, b.kind, b.status, b.starts_at, b.ends_at, b.returned_at,
       u.name AS user_name, u.login AS user_login
FROM booking b LEFT JOIN app_user u ON u.id = b.user_id
WHERE b.site_id = $1 AND b.status <> 'cancelled' AND b.starts_at < $3 AND b.ends_at > $2
  AND ($4::text IS NULL OR b.kind = $4)
ORDER BY b.starts_at, b.id
"""


async def report_resources(site_id: int, start: datetime, end: datetime, kind: str | None) -> list[dict]:
    return await db.fetch(REPORT_RESOURCES, site_id, start, end, kind)


async def report_bookings(site_id: int, start: datetime, end: datetime, kind: str | None) -> list[dict]:
    return await db.fetch(REPORT_BOOKINGS, site_id, start, end, kind)

# --- A person's data (fablab/reports/person.py declares what each statement is for) -------------
PERSON_REMINDERS = """
SELECT subject, booking_id, kind, status, sent_at FROM reminder_log WHERE recipient_id = $1 ORDER BY last_tried_at, id
"""
# A sent-log only keeps a reminder from going twice: old rows would only link people to bookings.
RETAIN_REMINDERS = "DELETE FROM reminder_log WHERE last_tried_at < $1 RETURNING id"
