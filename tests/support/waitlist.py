"""The waitlist tests' setting: times on the booking tests' day, every unit held, a wish for a laptop."""

from datetime import datetime, time

from fablab.platform import db
from tests.support.bookings import DAY, PARIS

def at(hh: int, mm: int = 0) -> datetime:
    return datetime.combine(DAY, time(hh, mm), PARIS)


async def hold_all(kind: str, starts_at: datetime, ends_at: datetime, holder: str = "learner10") -> list[int]:
    """Every unit of the kind at vlg booked by `holder` for the period; their booking ids."""
    rows = await db.fetch(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until) "
        "SELECT r.id, r.site_id, r.kind, u.id, u.id, $2, $3, $3 FROM resource r JOIN site s ON s.id = r.site_id, "
        "app_user u WHERE s.slug = 'vlg' AND r.kind = $1 AND u.login = $4 ORDER BY r.tag RETURNING id",
        kind, starts_at, ends_at, holder)
    return [row["id"] for row in rows]


async def join_for_laptop(client, **extra):
    return await client.post("/api/waitlist", json={"site": "vlg", "kind": "laptop", "date": DAY.isoformat(), **extra})


async def entry_status(entry_id: int) -> dict:
    return await db.fetchone("SELECT status, booking_id, skip_reason FROM waitlist_entry WHERE id = $1", entry_id)
