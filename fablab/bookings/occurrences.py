"""A series' occurrences are ordinary bookings, inserted here (fablab/series decides which)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg

from fablab.platform import db
from fablab.sites.calendar import Policy
from fablab.bookings.units import UNIT_INSERT_LOCK, take_free_units

@dataclass(frozen=True)
class SeriesBooking:
    """What every occurrence of one series shares."""

    series_id: int
    site_id: int
    kind: str
    user_id: int
    created_by_id: int
    purpose: str


# Takes the unit's insert lock first, as a single booking's INSERT does (INSERT_BOOKING): a learner
# booking the same unit meanwhile waits for the series instead of deadlocking with it in the
# exclusion check.
INSERT_OCCURRENCE = f"""
INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until,
                     purpose, series_id, occurrence_date, unit_chosen)
SELECT $1::int, $2::int, $3::text, $4::int, $5::int, $6::timestamptz, $7::timestamptz, $8::timestamptz, $9::text,
       $10::bigint, $11::date, $12::boolean
FROM (SELECT pg_advisory_xact_lock({UNIT_INSERT_LOCK}, $1::int)) AS unit_lock
RETURNING id
"""


async def insert_occurrence(*, series: SeriesBooking, unit_id: int, buffer: timedelta, day: date,
                            starts_at: datetime, ends_at: datetime, unit_chosen: bool = True) -> int | None:
    """One occurrence on one unit, in a savepoint of the caller's transaction: its id, or None
    when the unit is taken then (nothing else undone). unit_chosen: the series names this unit."""
    await db.fetch("SAVEPOINT series_unit")
    try:
        booking_id = await db.fetchval(
            INSERT_OCCURRENCE, unit_id, series.site_id, series.kind, series.user_id, series.created_by_id, starts_at,
            ends_at, ends_at + buffer, series.purpose, series.series_id, day, unit_chosen)
    except asyncpg.ExclusionViolationError:
        await db.fetch("ROLLBACK TO SAVEPOINT series_unit")
        return None
    await db.fetch("RELEASE SAVEPOINT series_unit")
    return booking_id


async def insert_occurrences_of_kind(*, series: SeriesBooking, quantity: int, day: date, starts_at: datetime,
                                     ends_at: datetime, now: datetime) -> list[int]:
    """Up to `quantity` free units of the series' kind for one date, least used first (the same
    choice as a single booking by kind); fewer when fewer are free (the caller decides)."""
    async def insert(unit: dict, unit_policy: Policy) -> int | None:
        return await insert_occurrence(series=series, unit_id=unit["id"], buffer=unit_policy.buffer, day=day,
                                       starts_at=starts_at, ends_at=ends_at, unit_chosen=False)

    return await take_free_units(site_id=series.site_id, kind=series.kind, starts_at=starts_at, ends_at=ends_at,
                                  quantity=quantity, now=now, insert=insert)
