"""A hand-built week of bookings for the report tests: figures that can be computed by hand."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from fablab.platform import db

PARIS = ZoneInfo("Europe/Paris")
WEEK = {"from": "2026-11-16", "to": "2026-11-22"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)


async def add_booking(resource_id: int, user_id: int, starts_at: datetime, ends_at: datetime, status: str,
                      returned_at: datetime | None = None) -> int:
    return await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, "
        "status, checked_out_at, returned_at) "
        "SELECT r.id, r.site_id, r.kind, $2::int, $2::int, $3::timestamptz, $4::timestamptz, $4::timestamptz, $5::text, "
        "CASE WHEN $5::text IN ('checked_out', 'returned') THEN $3::timestamptz END, $6::timestamptz FROM resource r WHERE r.id = $1 RETURNING id",
        resource_id, user_id, starts_at, ends_at, status, returned_at)


@pytest.fixture
async def week(demo):
    """The week of 16-22 November 2026 at Villeneuve, closed on Thursday 19, and one Pierrefitte loan."""
    vlg, pfs = demo["sites"]["vlg"], demo["sites"]["pfs"]
    learner = demo["learners"]["vlg"][0]
    laptop, room, printer = (vlg["resources"][kind][0] for kind in ("laptop", "room", "printer_3d"))
    await db.fetch("INSERT INTO closure (site_id, starts_on, ends_on, reason) VALUES ($1, '2026-11-19', '2026-11-19', "
                   "'Inventaire')", vlg["id"])
    # Mon 09:00 → Wed 18:00 (57 clock hours, 27 open), back on Thursday at 10:00: 16 h late.
    await add_booking(laptop, learner, at(16, 9), at(18, 18), "returned", returned_at=at(19, 10))
    await add_booking(room, learner, at(17, 14), at(17, 16), "returned", returned_at=at(17, 16))
    await add_booking(room, learner, at(18, 10), at(18, 11), "no_show")
    await add_booking(room, learner, at(19, 10), at(19, 12), "cancelled")
    # Overnight print, Friday 16:00 → Saturday 02:00: 10 clock hours, 2 open.
    await add_booking(printer, learner, at(20, 16), at(21, 2), "returned", returned_at=at(21, 2))
    await add_booking(pfs["resources"]["laptop"][0], demo["learners"]["pfs"][0], at(16, 9), at(16, 18), "returned",
                      returned_at=at(16, 17))
    return demo
