"""The booking tests' shared vocabulary: an ordinary opening day, Paris times, booking a unit over
HTTP, and the shape of a refusal."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

PARIS = ZoneInfo("Europe/Paris")


def future_weekday(min_days: int = 2, max_days: int = 10) -> date:
    """An ordinary opening day (Mon-Fri, not a French holiday) a few days from today."""
    today = datetime.now(PARIS).date()
    french = holidays.country_holidays("FR", years=[today.year, today.year + 1])
    for offset in range(min_days, max_days + 1):
        day = today + timedelta(days=offset)
        if day.weekday() < 5 and day not in french:
            return day
    raise AssertionError("no ordinary weekday found")


DAY = future_weekday()


def ordinary_day_after(day: date) -> date:
    """The next ordinary opening day after `day` (weekends and French holidays skipped)."""
    french = holidays.country_holidays("FR", years=[day.year, day.year + 1])
    day += timedelta(days=1)
    while day.weekday() >= 5 or day in french:
        day += timedelta(days=1)
    return day


def at(hh: int, mm: int = 0, day: date | None = None) -> str:
    return datetime.combine(day or DAY, time(hh, mm), PARIS).isoformat()


async def book(client, resource="VLG-ROOM-001", start=(10, 0), end=(11, 0), day=None, **extra):
    body = {"resource": resource, "starts_at": at(*start, day=day), "ends_at": at(*end, day=day), **extra}
    if resource is None:
        body.pop("resource")
    return await client.post("/api/bookings", json=body)


def assert_problem(response, status: int, code: str):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code, response.json()


def next_wednesday() -> date:
    """A Wednesday at least two days ahead, not a public holiday (laptops are booked by the day)."""
    from fablab.sites.calendar import holiday_dates

    day = datetime.now(PARIS).date() + timedelta(days=2)
    while day.weekday() != 2 or day in holiday_dates([day.year]):
        day += timedelta(days=1)
    return day
