"""The pure booking rules' test setting: default policies, a Paris calendar, a fixed Tuesday and now."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fablab.bookings.rules import check_booking
from fablab.sites.calendar import Policy, SiteCalendar
from fablab.domain.errors import PolicyViolation
from fablab.sites.defaults import DEFAULT_POLICIES

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS_9_18 = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
EVERY_DAY_9_18 = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
ROOM = Policy(**DEFAULT_POLICIES["room"])
PRINTER = Policy(**{**DEFAULT_POLICIES["printer_3d"], "training_id": 7})
LAPTOP = Policy(**DEFAULT_POLICIES["laptop"])


def calendar(hours=WEEKDAYS_9_18, closures=(), public_holidays=True, years=(2026,)) -> SiteCalendar:
    return SiteCalendar.build(timezone_name="Europe/Paris", opening_hours=hours, closures=list(closures),
                              years=list(years), public_holidays=public_holidays)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), PARIS)


def code_of(**kwargs) -> str | None:
    try:
        check_booking(**kwargs)
    except PolicyViolation as error:
        return error.code
    return None


TUESDAY = date(2026, 6, 9)          # an ordinary Tuesday
NOW = at(date(2026, 6, 8), 10)      # the Monday before, 10:00 Paris


def room_code(start: datetime, end: datetime, *, policy=ROOM, cal=None, now=NOW, **extra) -> str | None:
    return code_of(starts_at=start, ends_at=end, policy=policy, calendar=cal or calendar(), now=now, **extra)
