"""Audit of the invariants the database must always hold; used by the soak test and by tests."""

from __future__ import annotations

from dataclasses import dataclass

from fablab.platform import db

# Each query returns the rows that break the invariant; an empty result means it holds.
CHECKS = {
    "no overlapping active bookings": """
        SELECT a.id AS first, b.id AS second FROM booking a JOIN booking b
          ON a.resource_id = b.resource_id AND a.id < b.id
         AND tstzrange(a.starts_at, a.blocked_until, '[)') && tstzrange(b.starts_at, b.blocked_until, '[)')
       WHERE a.status IN ('confirmed', 'checked_out') AND b.status IN ('confirmed', 'checked_out')
       LIMIT 20""",
    "at most one open check-out per resource": """
        SELECT resource_id, count(*) AS open FROM booking WHERE status = 'checked_out'
        GROUP BY resource_id HAVING count(*) > 1""",
    "every check-out movement is closed by a check-in or still open": """
        SELECT m.id FROM movement m JOIN booking b ON b.id = m.booking_id
         WHERE m.kind = 'check_out' AND b.status <> 'checked_out'
           AND NOT EXISTS (SELECT 1 FROM movement i WHERE i.booking_id = m.booking_id
                            AND i.kind = 'check_in' AND i.at >= m.at)
         LIMIT 20""",
    "every checked-out booking has its check-out movement": """
        SELECT b.id FROM booking b WHERE b.status IN ('checked_out', 'returned')
           AND NOT EXISTS (SELECT 1 FROM movement m WHERE m.booking_id = b.id AND m.kind = 'check_out')
         LIMIT 20""",
    "booking states carry their transition times": """
        SELECT id, status FROM booking WHERE
              (status = 'checked_out' AND checked_out_at IS NULL)
           OR (status = 'returned' AND (checked_out_at IS NULL OR returned_at IS NULL))
           OR (status = 'cancelled' AND (cancelled_at IS NULL OR checked_out_at IS NOT NULL))
           OR (status = 'no_show' AND (no_show_at IS NULL OR checked_out_at IS NOT NULL))
           OR (status = 'confirmed' AND (checked_out_at IS NOT NULL OR returned_at IS NOT NULL
                                         OR cancelled_at IS NOT NULL OR no_show_at IS NOT NULL))
         LIMIT 20""",
    "a waitlist entry is served once, by a booking of its own learner": """
        SELECT w.id FROM waitlist_entry w LEFT JOIN booking b ON b.id = w.booking_id
         WHERE w.status = 'booked' AND (b.id IS NULL OR b.user_id IS DISTINCT FROM w.user_id OR b.kind <> w.kind)
         UNION ALL
        SELECT min(w.id) FROM waitlist_entry w WHERE w.booking_id IS NOT NULL GROUP BY w.booking_id HAVING count(*) > 1
         LIMIT 20""",
    "series occurrences belong to their series' site and kind": """
        SELECT b.id FROM booking b JOIN booking_series bs ON bs.id = b.series_id
         WHERE b.site_id <> bs.site_id OR b.kind <> bs.kind
         LIMIT 20""",
    # Issue 29: the counted columns that guard a workshop's capacity say what its sign-ups hold.
    "a workshop's counted seats equal its seated sign-ups and running holds": """
        SELECT w.id FROM workshop w
         WHERE w.seats_taken <> (SELECT count(*) FROM registration r WHERE r.workshop_id = w.id
                                                                       AND r.status = 'registered')
            OR w.held_free <> (SELECT coalesce(sum(h.seats - h.seats_taken), 0) FROM workshop_hold h
                                WHERE h.workshop_id = w.id AND h.released_at IS NULL)
            OR EXISTS (SELECT 1 FROM workshop_hold h WHERE h.workshop_id = w.id AND h.seats_taken <> (
                       SELECT count(*) FROM registration r WHERE r.workshop_id = w.id AND r.status = 'registered'
                          AND r.seat = 'partner' AND r.partner_id = h.partner_id))
         LIMIT 20""",
    "movements are append-only (trigger in place)": """
        SELECT 'missing trigger' AS problem WHERE NOT EXISTS (
            SELECT 1 FROM pg_trigger WHERE tgname = 'movement_append_only' AND NOT tgisinternal)""",
}


@dataclass(frozen=True)
class InvariantResult:
    name: str
    violations: list[dict]

    @property
    def holds(self) -> bool:
        return not self.violations


async def audit_invariants() -> list[InvariantResult]:
    return [InvariantResult(name, await db.fetch(sql)) for name, sql in CHECKS.items()]
