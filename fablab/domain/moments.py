"""The one parser of the dates and instants clients send: a bounded range, and no naive instants.

Python's dates stop at year 9999 and PostgreSQL's ranges and the calendar maths overflow near
the ends, so a year 9999 or 0001 value used to end in a 500. Nothing in a booking system needs
more than this range; everything outside is a typo or a probe and gets a 400 with a code.
An instant (a booking's start, a loan's due time) is always sent with its offset (RFC 3339);
a day (`2026-03-12`) is a day in the site's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from fablab.domain import codes
from fablab.domain.errors import InvalidInput

UTC = timezone.utc
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
# A day away from the day bounds, so that any site's midnight of a valid day is a valid instant.
EARLIEST = datetime.combine(EARLIEST_DAY - timedelta(days=1), time(0), UTC)
LATEST = datetime.combine(LATEST_DAY + timedelta(days=2), time(0), UTC)
# Longer texts are not dates; cut them short in messages.
MAX_TEXT = 40


class DateOutOfRange(InvalidInput):
    code, title = codes.DATE_OUT_OF_RANGE, "Date out of range"


class NaiveTimestamp(InvalidInput):
    code, title = codes.NAIVE_TIMESTAMP, "Time without an offset"


class InvalidDate(InvalidInput):
    code, title = codes.INVALID_DATE, "Invalid date"


def _range_message(name: str) -> str:
    return f"{name} must be between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}."


def check_day(day: date, name: str) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise DateOutOfRange(_range_message(name), field=name)
    return day


def check_instant(moment: datetime, name: str) -> datetime:
    """The instant in UTC; refuses a naive one (which time zone would it be?) and the far ends."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveTimestamp(f"{name} needs a time zone offset, e.g. 2026-03-12T09:00:00+01:00.", field=name)
    # Aware comparisons never overflow; converting year 1 at +14:00 to UTC would.
    if not EARLIEST <= moment <= LATEST:
        raise DateOutOfRange(_range_message(name), field=name)
    return moment.astimezone(UTC)


def check_optional_instant(moment: datetime | None, name: str) -> datetime | None:
    return None if moment is None else check_instant(moment, name)


def check_optional_day(day: date | None, name: str) -> date | None:
    return None if day is None else check_day(day, name)


def parse_day(text: str, name: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidDate(f"{name} must be a date such as 2026-03-12, got {text[:MAX_TEXT]!r}.", field=name) from None
    return check_day(day, name)


def parse_optional_day(text: str | None, name: str) -> date | None:
    """A query parameter's day, when given."""
    return None if text is None else parse_day(text, name)


def parse_instant(text: str, name: str) -> datetime:
    """An RFC 3339 instant with its offset (`Z` accepted), in UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidDate(f"{name} must be a date and time with its offset (RFC 3339), "
                          f"got {text[:MAX_TEXT]!r}.", field=name) from None
    return check_instant(moment, name)


def is_day(text: str) -> bool:
    return len(text) == 10


def parse_day_or_instant(text: str, tz: ZoneInfo, name: str) -> tuple[datetime, datetime]:
    """A day (in the site's time zone) or an instant, as the [start, end) span it names, in UTC:
    a whole day, or the instant itself twice."""
    if is_day(text):
        day = parse_day(text, name)
        start = datetime.combine(day, time(0), tz)
        end = datetime.combine(day + timedelta(days=1), time(0), tz)
        return start.astimezone(UTC), end.astimezone(UTC)
    moment = parse_instant(text, name)
    return moment, moment


def check_body(body: object, *, instants: tuple[str, ...] = (), days: tuple[str, ...] = ()) -> None:
    """For a request body's `__post_init__`: every named instant in UTC and bounded, every day
    bounded. Runs as the body is decoded, so no route can forget it."""
    for name in instants:
        setattr(body, name, check_optional_instant(getattr(body, name), name))
    for name in days:
        check_optional_day(getattr(body, name), name)
