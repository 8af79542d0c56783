"""A site's own calendar types: its booking policy per kind, weekly opening hours in its time zone,
closures and French public holidays (what `fablab/sites` stores and `fablab/bookings/rules.py` applies)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays

from fablab.domain import codes
from fablab.domain.errors import InvalidInput
from fablab.domain.vocabulary import POLICY_UNITS, WEEKDAYS

HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
UTC = timezone.utc


@dataclass(frozen=True)
class Policy:
    """One row of the policy table; lengths are minutes, or opening days when unit == 'days'."""

    unit: str = "minutes"
    slot_minutes: int = 30
    min_length: int = 30
    max_length: int = 240
    max_days_ahead: int = 14
    buffer_minutes: int = 0
    may_end_after_closing: bool = False
    checkout_grace_minutes: int = 30
    max_active_bookings: int | None = None
    max_hours_per_week: int | None = None
    training_id: int | None = None
    min_age: int | None = None  # issue 30: younger people refused unless a trainer books for them

    @classmethod
    def from_row(cls, row: dict) -> "Policy":
        return cls(**{f.name: row[f.name] for f in fields(cls) if f.name in row})

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)


def validate_policy(policy: Policy) -> None:
    """Values an admin may store; each mistake gets its own code."""
    if policy.unit not in POLICY_UNITS:
        raise InvalidInput("unit must be 'minutes' or 'days'.", code=codes.INVALID_POLICY)
    if policy.slot_minutes <= 0 or policy.slot_minutes > 1440:
        raise InvalidInput("slot_minutes must be between 1 and 1440.", code=codes.INVALID_POLICY)
    if policy.min_length <= 0 or policy.max_length < policy.min_length:
        raise InvalidInput("Lengths must satisfy 0 < min_length <= max_length.", code=codes.INVALID_POLICY)
    if policy.unit == "minutes" and (policy.min_length % policy.slot_minutes or policy.max_length % policy.slot_minutes):
        raise InvalidInput("min_length and max_length must be whole numbers of slots.", code=codes.INVALID_POLICY)
    for name in ("max_days_ahead", "buffer_minutes", "checkout_grace_minutes"):
        if getattr(policy, name) < 0:
            raise InvalidInput(f"{name} must not be negative.", code=codes.INVALID_POLICY)
    for name in ("max_active_bookings", "max_hours_per_week"):
        value = getattr(policy, name)
        if value is not None and value < 0:
            raise InvalidInput(f"{name} must not be negative.", code=codes.INVALID_POLICY)


# ---------------------------------------------------------------------------------------------
# Opening hours


def parse_opening_hours(raw: object) -> dict[str, list[tuple[time, time]]]:
    """{"mon": [["09:00", "12:30"], ["13:30", "18:00"]], ...} → sorted, non-overlapping intervals.

    Raises InvalidInput(code=codes.INVALID_OPENING_HOURS) on anything else, so admins get a clear 400.
    """
    if not isinstance(raw, dict):
        raise InvalidInput("opening_hours must be an object keyed by weekday.", code=codes.INVALID_OPENING_HOURS)
    parsed: dict[str, list[tuple[time, time]]] = {}
    for day, intervals in raw.items():
        if day not in WEEKDAYS:
            raise InvalidInput(f"Unknown weekday {day!r}; use {', '.join(WEEKDAYS)}.", code=codes.INVALID_OPENING_HOURS)
        if not isinstance(intervals, list) or len(intervals) > 6:
            raise InvalidInput(f"{day}: give a list of [opens, closes] pairs.", code=codes.INVALID_OPENING_HOURS)
        day_hours = []
        for interval in intervals:
            if (not isinstance(interval, (list, tuple)) or len(interval) != 2
                    or not all(isinstance(t, str) and HH_MM.match(t) for t in interval)):
                raise InvalidInput(f"{day}: each interval is [\"HH:MM\", \"HH:MM\"].", code=codes.INVALID_OPENING_HOURS)
            opens, closes = time.fromisoformat(interval[0]), time.fromisoformat(interval[1])
            if closes <= opens:
                raise InvalidInput(f"{day}: {interval[1]} is not after {interval[0]}.", code=codes.INVALID_OPENING_HOURS)
            day_hours.append((opens, closes))
        day_hours.sort()
        for (_, previous_close), (next_open, _) in zip(day_hours, day_hours[1:]):
            if next_open < previous_close:
                raise InvalidInput(f"{day}: intervals overlap.", code=codes.INVALID_OPENING_HOURS)
        if day_hours:
            parsed[day] = day_hours
    return parsed


def opening_hours_json(hours: dict[str, list[tuple[time, time]]]) -> dict[str, list[list[str]]]:
    return {day: [[o.strftime("%H:%M"), c.strftime("%H:%M")] for o, c in hours[day]]
            for day in WEEKDAYS if day in hours}


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`at` on `day` as a wall-clock time of the site, normalised through UTC.

    zoneinfo gives 09:00 the offset in force that day (+01:00 or +02:00), so opening hours stay
    09:00 local on the DST Sundays; a time skipped by the spring jump lands just after it.
    """
    return datetime.combine(day, at, tz).astimezone(UTC).astimezone(tz)


def holiday_dates(years: range | list[int], country: str = "FR") -> dict[date, str]:
    """French public holidays, closures by default (docs/ARCHITECTURE.md, Domain model), named in French ("Noël")."""
    merged: dict[date, str] = {}
    for year in years:
        merged.update(_holidays_of_year(country, year))
    return merged


@functools.lru_cache(maxsize=64)
def _holidays_of_year(country: str, year: int) -> dict[date, str]:
    # The holidays package computes each year afresh (Easter and all); a year's list never changes.
    # The package names holidays in English unless asked: the app and the calendars speak French.
    return dict(holidays.country_holidays(country, years=[year], language="fr").items())


@dataclass(frozen=True)
class SiteCalendar:
    """When a site is open: weekly hours in its time zone, minus closed dates."""

    tz: ZoneInfo
    hours: dict[str, list[tuple[time, time]]]
    closed: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def build(cls, *, timezone_name: str, opening_hours: object, closures: list[tuple[date, date]],
              years: list[int], public_holidays: bool = True) -> "SiteCalendar":
        closed = set()
        for starts_on, ends_on in closures:
            day = starts_on
            while day <= ends_on:
                closed.add(day)
                day += timedelta(days=1)
        if public_holidays:
            closed.update(holiday_dates(years))
        return cls(tz=ZoneInfo(timezone_name), hours=parse_opening_hours(opening_hours), closed=frozenset(closed))

    def is_open_day(self, day: date) -> bool:
        return day not in self.closed and bool(self.hours.get(WEEKDAYS[day.weekday()]))

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's opening intervals as aware datetimes in site time; [] when closed."""
        if not self.is_open_day(day):
            return []
        spans = [(local_moment(day, opens, self.tz), local_moment(day, closes, self.tz))
                 for opens, closes in self.hours[WEEKDAYS[day.weekday()]]]
        # On the spring DST night a time in the skipped hour lands an hour later: 02:30–03:15 becomes
        # 03:30–03:15 (no instant at all, dropped), and 01:00–02:30 then 03:00–04:00 overlap as
        # instants (merged: the site is open throughout).
        merged: list[tuple[datetime, datetime]] = []
        for opens, closes in spans:
            if instant(closes) <= instant(opens):
                continue
            if merged and instant(opens) <= instant(merged[-1][1]):
                merged[-1] = (merged[-1][0], max(merged[-1][1], closes, key=instant))
            else:
                merged.append((opens, closes))
        return merged

    def opening(self, day: date) -> datetime | None:
        spans = self.intervals(day)
        return spans[0][0] if spans else None

    def closing(self, day: date) -> datetime | None:
        spans = self.intervals(day)
        return spans[-1][1] if spans else None

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def interval_containing(self, moment: datetime) -> tuple[datetime, datetime] | None:
        """The opening interval with opens <= moment < closes, if any."""
        for opens, closes in self.intervals(self.local_date(moment)):
            if opens <= moment < closes:
                return opens, closes
        return None

    def open_days_between(self, first: date, last: date) -> int:
        count, day = 0, first
        while day <= last:
            count += self.is_open_day(day)
            day += timedelta(days=1)
        return count


def instant(moment: datetime) -> datetime:
    """The same instant in UTC. Python adds, subtracts and compares two datetimes of one ZoneInfo
    on the wall clock (02:30 + 30 min = 03:00 on the spring DST night; the autumn's second 02:00
    "before" the first 02:30): arithmetic across a DST change must be done in UTC."""
    return moment.astimezone(UTC)


def parse_clock(text: str, name: str) -> time:
    """ "09:00" (or "9:00") as a local time of day; 400 invalid_time otherwise."""
    try:
        moment = time.fromisoformat(text.zfill(5))
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a time such as 09:00.", code=codes.INVALID_TIME) from None
    if moment.tzinfo is not None or moment.second or moment.microsecond:
        raise InvalidInput(f"{name} must be a local time in minutes, such as 09:00.", code=codes.INVALID_TIME)
    return moment
