"""Demo bookings in any state, as is (seed data only: no rule is checked)."""

from __future__ import annotations

from datetime import datetime

from fablab.platform import db

INSERT_DEMO = """
INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, status,
                     purpose, checked_out_at, returned_at)
VALUES ($1, $2, $3, $4, $4, $5, $6, $6, $7, $8, $9, $10) RETURNING id
"""


async def insert_demo_booking(*, resource_id: int, site_id: int, kind: str, user_id: int, starts_at: datetime,
                              ends_at: datetime, status: str, purpose: str, checked_out_at: datetime | None,
                              returned_at: datetime | None) -> int:
    """A demo booking in any state, as is (seed data only: no rule is checked)."""
    return await db.fetchval(INSERT_DEMO, resource_id, site_id, kind, user_id, starts_at, ends_at, status, purpose,
                             checked_out_at, returned_at)
