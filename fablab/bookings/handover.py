"""The desk's hand-over and take-back of a booking: each one statement that also logs the movement
(one round trip on the desk's hot path; the booking is read back in its one shape, queries.BOOKING_COLUMNS).
Each logs its movement with fablab/movements' fragment, in the same statement, for that reason."""

from __future__ import annotations

from datetime import datetime

from fablab.platform import db
from fablab.bookings import queries
from fablab.bookings.changes import Freed
from fablab.movements import log

# The booking becomes the loan (re-checked: still confirmed), the movement is logged, and the loan
# is read back as the desk shows it.
HAND_OVER = f"""
WITH upd AS (
    UPDATE booking SET resource_id = $2, starts_at = $3, ends_at = $4, blocked_until = $5,
           status = 'checked_out', checked_out_at = $6, {queries.BUMP}
    WHERE id = $1 AND status = 'confirmed' RETURNING *),
mv AS ({log.check_out_from("upd", staff="$7", note="$8", at="$6")})
SELECT {queries.BOOKING_COLUMNS} {queries.BOOKING_FROM.replace('FROM booking b', 'FROM upd b')}
"""

# The loan ends (early: now, so the rest of its slot is free again), the movement is logged, and the
# booking is read back with what it held before and whether anyone waits for its kind at its site.
TAKE_BACK = f"""
WITH old AS (SELECT id, ends_at, blocked_until FROM booking WHERE id = $1),
upd AS (
    UPDATE booking b SET status = 'returned', returned_at = $2,
           ends_at = CASE WHEN $2 < b.ends_at THEN greatest($2, b.starts_at + interval '1 second') ELSE b.ends_at END,
           blocked_until = CASE WHEN $2 < b.ends_at
               THEN greatest($2, b.starts_at + interval '1 second') + (b.blocked_until - b.ends_at) ELSE b.blocked_until END,
           {queries.BUMP}
    WHERE b.id = $1 AND b.status = 'checked_out' RETURNING b.*),
mv AS ({log.check_in_from("upd", staff="$3", condition="$4", note="$5")})
SELECT {queries.BOOKING_COLUMNS}, old.ends_at AS held_until, old.blocked_until AS held_blocked_until,
       EXISTS (SELECT 1 FROM waitlist_entry w WHERE w.status = 'waiting' AND w.site_id = b.site_id
                  AND w.kind = b.kind) AS anyone_waiting
{queries.BOOKING_FROM.replace('FROM booking b', 'FROM upd b')} JOIN old ON old.id = b.id
"""


async def hand_over(*, booking_id: int, resource_id: int, starts_at: datetime, ends_at: datetime,
                    blocked_until: datetime, now: datetime, staff_id: int, note: str) -> dict | None:
    """The confirmed booking becomes a loan of `resource_id` over [starts_at, ends_at); None when it
    is no longer confirmed. Raises asyncpg's UniqueViolationError when the unit is out already
    and ExclusionViolationError when it is booked meanwhile (the caller says which)."""
    return await db.fetchone(HAND_OVER, booking_id, resource_id, starts_at, ends_at, blocked_until, now, staff_id,
                             note)


async def take_back(*, booking_id: int, now: datetime, staff_id: int, condition: str,
                    note: str) -> dict | None:
    """The loan ends now (the rest of its slot is free again); None when it is not out. The row
    has held_until, held_blocked_until (what it held before) and anyone_waiting."""
    return await db.fetchone(TAKE_BACK, booking_id, now, staff_id, condition, note)


def freed_by_return(row: dict, now: datetime) -> Freed:
    """What an early return gives back: from now to the end of what the loan held."""
    return Freed(resource_id=row["resource_id"], site_id=row["site_id"], kind=row["kind"], starts_at=now,
                 blocked_until=row["held_blocked_until"])
