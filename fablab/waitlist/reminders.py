"""The waitlist's reminder (fablab/domain/reminder_types.py): "a slot freed and it is yours", once."""

from __future__ import annotations

from datetime import datetime

from fablab.platform import db
from fablab.bookings.reminder_plan import Reminder, learner_of
from fablab.bookings.reminders import BOOKING_FIELDS, BOOKING_JOINS
from fablab.domain.reminder_types import ReminderSource

# Bookings the waitlist gave someone lately that have not started: "it is yours" goes out once.
WAITLIST_CANDIDATES = f"""
SELECT w.resolved_at AS waitlist_booked_at, {BOOKING_FIELDS}
FROM waitlist_entry w JOIN booking b ON b.id = w.booking_id {BOOKING_JOINS}
WHERE ($1::int IS NULL OR b.site_id = $1) AND w.status = 'booked' AND w.resolved_at > $2::timestamptz - interval '1 day'
  AND w.resolved_at <= $3 AND b.status = 'confirmed' AND b.starts_at > $2
ORDER BY w.resolved_at, b.id
"""


def waitlist_reminders(booking: dict) -> list[Reminder]:
    """"A slot freed and it is yours": once, from the moment the waitlist booked it until it starts."""
    learner = learner_of(booking)
    if booking["status"] != "confirmed" or learner is None or booking.get("waitlist_booked_at") is None:
        return []
    return [Reminder("waitlist_booked", booking, learner, booking["waitlist_booked_at"], booking["starts_at"])]


async def booked_for_you(now: datetime, until: datetime, site_id: int | None) -> list[Reminder]:
    return [reminder for row in await db.fetch(WAITLIST_CANDIDATES, site_id, now, until)
            for reminder in waitlist_reminders(row)]


REMINDER_SOURCES = (ReminderSource("waitlist", booked_for_you),)
