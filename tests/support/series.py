"""Recurring bookings' shared setting: ten clear Tuesdays, a weekly room, a closure and a conflict."""

from datetime import date, datetime, time, timedelta

import holidays

from fablab.platform import db
from tests.support.bookings import PARIS

WEEKS = 10


def clear_tuesdays(weeks: int = WEEKS) -> list[date]:
    """`weeks` consecutive Tuesdays from next week on with no French public holiday among them."""
    today = datetime.now(PARIS).date()
    first = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    french = holidays.country_holidays("FR", years=range(today.year, today.year + 3))
    while True:
        days = [first + timedelta(weeks=n) for n in range(weeks)]
        if not any(day in french for day in days):
            return days
        first += timedelta(weeks=1)


def at(day: date, hh: int, mm: int = 0) -> str:
    return datetime.combine(day, time(hh, mm), PARIS).isoformat()


def weekly_room(days: list[date], **extra) -> dict:
    return {"resource": "VLG-ROOM-001", "first_day": days[0].isoformat(), "start_time": "09:00",
            "end_time": "12:30", "weekdays": ["tue"], "count": len(days), "purpose": "Cohorte B", **extra}


async def series_bookings(series_id: int | None = None) -> list[dict]:
    return await db.fetch(
        "SELECT id, status, sequence, occurrence_date FROM booking WHERE series_id IS NOT NULL "
        "AND ($1::bigint IS NULL OR series_id = $1) ORDER BY occurrence_date", series_id)


async def close_and_conflict(staff, days: list[date]) -> tuple[date, date]:
    """Week 6 closed (a staff training day), week 8 taken by a learner's booking at 10:00."""
    closed, taken = days[5], days[7]
    await db.fetch("INSERT INTO closure (site_id, starts_on, ends_on, reason) "
                   "SELECT id, $1, $1, 'Journée pédagogique' FROM site WHERE slug = 'vlg'", closed)
    await db.fetch(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, purpose) "
        "SELECT r.id, r.site_id, r.kind, u.id, u.id, $1, $2, $2, 'Révisions' FROM resource r, app_user u "
        "WHERE r.tag = 'VLG-ROOM-001' AND u.login = 'learner1'",
        datetime.fromisoformat(at(taken, 10)), datetime.fromisoformat(at(taken, 11)))
    return closed, taken
