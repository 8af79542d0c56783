"""Planning a series (pure): each date of the rule gets an outcome before anything is booked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from fablab.sites.calendar import SiteCalendar, local_moment
from fablab.series.recurrence import WeeklyRule

ON_CONFLICT = ("none", "all_but_conflicts")
SKIPPED = ("closure", "holiday", "outside_opening_hours", "past")


@dataclass
class Occurrence:
    day: date
    starts_at: datetime
    ends_at: datetime
    outcome: str = "created"          # or "conflict", or one of SKIPPED
    detail: str = ""
    bookings: list[int] = field(default_factory=list)

    def out(self) -> dict:
        return {"date": self.day.isoformat(), "starts_at": self.starts_at, "ends_at": self.ends_at,
                "outcome": self.outcome, "detail": self.detail, "bookings": self.bookings}


def closed_days(closures: list[dict], first: date, last: date) -> dict[date, str]:
    """Why each date of [first, last] that a stored closure covers is closed."""
    closed_by: dict[date, str] = {}
    for row in closures:
        day = max(row["starts_on"], first)
        while day <= min(row["ends_on"], last):
            closed_by.setdefault(day, row["reason"] or "fermeture")
            day += timedelta(days=1)
    return closed_by


def plan(rule: WeeklyRule, calendar: SiteCalendar, closed_by: dict, holidays: dict, now: datetime) -> list[Occurrence]:
    out = []
    for day in rule.dates():
        occurrence = Occurrence(day, local_moment(day, rule.start_time, calendar.tz),
                                local_moment(day, rule.end_time, calendar.tz))
        span = calendar.interval_containing(occurrence.starts_at)
        if day in closed_by:
            occurrence.outcome, occurrence.detail = "closure", closed_by[day]
        elif day in holidays:
            occurrence.outcome, occurrence.detail = "holiday", holidays[day]
        elif span is None or occurrence.ends_at > span[1]:
            occurrence.outcome, occurrence.detail = "outside_opening_hours", "Le site est fermé à ces heures."
        elif occurrence.starts_at <= now:
            occurrence.outcome, occurrence.detail = "past", "Date passée."
        out.append(occurrence)
    return out


def summary(occurrences: list[Occurrence]) -> dict:
    created = [o for o in occurrences if o.outcome == "created"]
    return {"occurrences": [o.out() for o in occurrences],
            "created": sum(len(o.bookings) for o in created),
            "conflicts": [o.day.isoformat() for o in occurrences if o.outcome == "conflict"],
            "skipped": [o.day.isoformat() for o in occurrences if o.outcome in SKIPPED]}
