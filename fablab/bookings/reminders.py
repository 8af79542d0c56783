"""A booking's reminders (fablab/domain/reminder_types.py): its SQL and its sources; the rules are in reminder_plan.py."""

from __future__ import annotations

from datetime import datetime

from fablab.platform import db
from fablab.bookings.reminder_plan import (DUE_LEAD, OVERDUE_LOOKBACK, START_LEAD, Recipient, Reminder,
                                           reminders_for, withdrawn_reminders)
from fablab.domain.reminder_types import ReminderSource

# What a reminder says about a booking: the item, the site, the learner (fablab/reports writes it,
# fablab/push sums it up); the waitlist's reminders read the same fields.
BOOKING_FIELDS = """
b.id, b.status, b.starts_at, b.ends_at, b.created_at, b.checked_out_at, b.site_id, b.user_id,
r.tag, r.name AS resource_name, r.kind AS resource_kind,
s.slug AS site, s.name AS site_name, s.timezone,
u.name AS user_name, u.login AS user_login, u.email AS user_email,
coalesce(u.active AND u.anonymised_at IS NULL, false) AS user_reachable
"""
BOOKING_JOINS = """
JOIN resource r ON r.id = b.resource_id JOIN site s ON s.id = b.site_id LEFT JOIN app_user u ON u.id = b.user_id
"""

# Confirmed bookings about to start and loans out; the rules in reminder_plan pick the reminders.
CANDIDATES = f"""
SELECT {BOOKING_FIELDS} FROM booking b {BOOKING_JOINS}
WHERE ($1::int IS NULL OR b.site_id = $1)
  AND ((b.status = 'confirmed' AND b.starts_at > $2 AND b.starts_at <= $3)
       OR (b.status = 'checked_out' AND b.ends_at > $4 AND b.ends_at <= $5))
ORDER BY b.starts_at, b.id
"""

# Bookings the system cancelled lately: their item was retired or lost, or the site closes; and
# loans a closure shortened (issue 28: still confirmed, the closure's reason in cancel_note, the time
# of the change in updated_at). Two branches, so the first keeps its partial index.
WITHDRAWN_CANDIDATES = f"""
SELECT b.cancelled_at, b.cancel_reason, b.cancel_note, {BOOKING_FIELDS} FROM booking b {BOOKING_JOINS}
WHERE ($1::int IS NULL OR b.site_id = $1) AND b.status = 'cancelled' AND b.cancel_reason IS NOT NULL
  AND b.cancelled_at > $2::timestamptz - interval '1 day' AND b.cancelled_at <= $3 AND b.ends_at > $2
UNION ALL
SELECT b.updated_at, NULL, b.cancel_note, {BOOKING_FIELDS} FROM booking b {BOOKING_JOINS}
WHERE ($1::int IS NULL OR b.site_id = $1) AND b.status = 'confirmed' AND b.cancel_reason IS NULL
  AND b.cancel_note <> '' AND b.starts_at > $2::timestamptz - interval '1 day'
  AND b.updated_at > $2::timestamptz - interval '1 day' AND b.updated_at <= $3
ORDER BY 1, id
"""

SITE_STAFF = """
SELECT u.id, u.name, u.email, ss.site_id FROM app_user u JOIN staff_site ss ON ss.user_id = u.id
WHERE u.role = 'staff' AND u.active AND u.anonymised_at IS NULL AND ss.site_id = ANY($1::int[])
  AND coalesce(u.email, '') <> ''
ORDER BY u.id
"""


async def _site_staff(site_ids: set[int]) -> dict[int, list[Recipient]]:
    staff: dict[int, list[Recipient]] = {}
    for row in await db.fetch(SITE_STAFF, sorted(site_ids)):
        staff.setdefault(row["site_id"], []).append(Recipient(row["id"], row["name"], "staff", row["email"].strip()))
    return staff


async def starts_and_loans(now: datetime, until: datetime, site_id: int | None) -> list[Reminder]:
    """A booking about to start, a loan due soon or overdue (the site's staff told of the latter)."""
    rows = await db.fetch(CANDIDATES, site_id, now, until + START_LEAD, now - OVERDUE_LOOKBACK, until + DUE_LEAD)
    staff = await _site_staff({row["site_id"] for row in rows})
    return [reminder for row in rows for reminder in reminders_for(row, staff.get(row["site_id"], []))]


async def withdrawn(now: datetime, until: datetime, site_id: int | None) -> list[Reminder]:
    """A booking the system or the desk cancelled, or a loan a closure shortened: told once."""
    return [reminder for row in await db.fetch(WITHDRAWN_CANDIDATES, site_id, now, until)
            for reminder in withdrawn_reminders(row)]


REMINDER_SOURCES = (ReminderSource("bookings", starts_and_loans), ReminderSource("bookings-withdrawn", withdrawn))
