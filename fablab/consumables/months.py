"""Calendar months in a site's time zone: the budget's and the report's period (pure, no I/O)."""

from __future__ import annotations

from fablab.domain import codes
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fablab.sites.calendar import local_moment
from fablab.domain.errors import InvalidInput

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_of(moment: datetime, tz: ZoneInfo) -> date:
    """The first day of the month `moment` falls in, in site time."""
    return moment.astimezone(tz).date().replace(day=1)


def parse_month(text: str) -> date:
    """`2026-12` → 1 December 2026; 400 invalid_month otherwise (years 2000 to 2100, like every date)."""
    found = MONTH.match(text.strip())
    if not found or not 2000 <= int(found[1]) <= 2100 or not 1 <= int(found[2]) <= 12:
        raise InvalidInput("month must be YYYY-MM (2000-01 to 2100-12).", code=codes.INVALID_MONTH, field="month")
    return date(int(found[1]), int(found[2]), 1)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_span(first: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the month as instants: midnight of its first day to midnight of the next, site time."""
    return local_moment(first, time(0), tz), local_moment(next_month(first), time(0), tz)


def month_label(first: date) -> str:
    return first.strftime("%Y-%m")
