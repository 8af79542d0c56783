"""The small RRULE subset staff need for a cohort's weekly room: pure, no I/O.

Weekly on chosen weekdays, every N weeks, from a first day until a date or for a count of
occurrences (RFC 5545 FREQ=WEEKLY;INTERVAL=N;BYDAY=...;UNTIL=...|COUNT=...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from fablab.domain import codes
from fablab.sites.calendar import parse_clock
from fablab.domain.errors import InvalidInput
from fablab.domain.vocabulary import WEEKDAYS

# A school year of weekly sessions on a few days, with room to spare; more is a typo.
MAX_OCCURRENCES = 200
MAX_SPAN = timedelta(days=400)
MAX_INTERVAL = 8
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class WeeklyRule:
    first_day: date
    start_time: time
    end_time: time
    weekdays: tuple[str, ...]          # "mon".."sun", sorted in week order
    interval: int = 1
    until: date | None = None
    count: int | None = None

    @classmethod
    def build(cls, *, first_day: date, start_time: str, end_time: str, weekdays: list[str] | None,
              interval: int, until: date | None, count: int | None) -> "WeeklyRule":
        """Validated; every refusal is a 422 with a code naming what is wrong."""
        start, end = parse_clock(start_time, "start_time"), parse_clock(end_time, "end_time")
        if end <= start:
            raise InvalidInput("end_time must be after start_time (occurrences stay within one day).",
                               code=codes.ENDS_BEFORE_START)
        days = [day.lower() for day in (weekdays or [WEEKDAYS[first_day.weekday()]])]
        unknown = [day for day in days if day not in WEEKDAYS]
        if unknown:
            raise InvalidInput(f"Unknown weekday {unknown[0]!r}; use {', '.join(WEEKDAYS)}.", code=codes.INVALID_WEEKDAY)
        if not 1 <= interval <= MAX_INTERVAL:
            raise InvalidInput(f"interval is a number of weeks from 1 to {MAX_INTERVAL}.", code=codes.INVALID_INTERVAL)
        if (until is None) == (count is None):
            raise InvalidInput("Give either until (a date) or count (a number of occurrences).",
                               code=codes.UNTIL_OR_COUNT)
        if count is not None and not 1 <= count <= MAX_OCCURRENCES:
            raise InvalidInput(f"count is from 1 to {MAX_OCCURRENCES}.", code=codes.TOO_MANY_OCCURRENCES)
        if until is not None and (until < first_day or until - first_day > MAX_SPAN):
            raise InvalidInput(f"until must be on or after the first day, at most {MAX_SPAN.days} days later.",
                               code=codes.INVALID_DATES)
        ordered = tuple(day for day in WEEKDAYS if day in days)
        return cls(first_day=first_day, start_time=start, end_time=end, weekdays=ordered, interval=interval,
                   until=until, count=count)

    def dates(self) -> list[date]:
        """Every occurrence's day, in order (closures are the caller's business: they are reported)."""
        week_start = self.first_day - timedelta(days=self.first_day.weekday())
        offsets = [WEEKDAYS.index(day) for day in self.weekdays]
        out: list[date] = []
        while True:
            for offset in offsets:
                day = week_start + timedelta(days=offset)
                if day < self.first_day:
                    continue
                if self.until is not None and day > self.until:
                    return out
                out.append(day)
                if len(out) > MAX_OCCURRENCES:
                    raise InvalidInput(f"At most {MAX_OCCURRENCES} occurrences in a series.",
                                       code=codes.TOO_MANY_OCCURRENCES)
                if len(out) == self.count:
                    return out
            week_start += timedelta(weeks=self.interval)

    def as_json(self) -> dict:
        return {"first_day": self.first_day.isoformat(), "start_time": self.start_time.strftime("%H:%M"),
                "end_time": self.end_time.strftime("%H:%M"), "weekdays": list(self.weekdays),
                "interval": self.interval, "until": self.until.isoformat() if self.until else None,
                "count": self.count, "rrule": self.rrule()}

    def rrule(self) -> str:
        """The same rule as RFC 5545 writes it, for people and calendar tools."""
        parts = ["FREQ=WEEKLY", f"INTERVAL={self.interval}",
                 "BYDAY=" + ",".join(RRULE_DAYS[WEEKDAYS.index(day)] for day in self.weekdays)]
        parts.append(f"UNTIL={self.until:%Y%m%d}" if self.until else f"COUNT={self.count}")
        return ";".join(parts)
