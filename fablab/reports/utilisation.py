"""The utilisation report as a pure function of a site's calendar, resources and bookings (no I/O)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from fablab.sites.calendar import SiteCalendar, local_moment
from fablab.domain.vocabulary import KINDS, WEEKDAYS

# Bookings that hold the resource: what "booked" means in every figure below.
HOLDING = ("confirmed", "checked_out", "returned")
# How many units the "most used" and "least used" lists name per kind.
RANK_SIZE = 3
HOUR = timedelta(hours=1)
# Every instant is kept in UTC: Python subtracts two datetimes of one tzinfo by wall clock, which
# would make the night of the autumn clock change 1 h short.
UTC = timezone.utc


@dataclass(frozen=True)
class Period:
    """Whole local days [first, last] of a site: [starts_at, ends_at) in its time zone."""

    first: date
    last: date
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, first: date, last: date, calendar: SiteCalendar) -> "Period":
        return cls(first, last, local_moment(first, time(0), calendar.tz).astimezone(UTC),
                   local_moment(last + timedelta(days=1), time(0), calendar.tz).astimezone(UTC))

    def contains(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


def hours(span: timedelta) -> float:
    return span.total_seconds() / 3600


def opening_intervals(calendar: SiteCalendar, period: Period) -> list[tuple[datetime, datetime]]:
    """The site's opening intervals over the period, in order (closures and holidays left out)."""
    spans, day = [], period.first
    while day <= period.last:
        spans.extend((start.astimezone(UTC), end.astimezone(UTC)) for start, end in calendar.intervals(day))
        day += timedelta(days=1)
    return spans


class OpenTime:
    """Sorted, disjoint opening intervals, cut against bookings by binary search."""

    def __init__(self, intervals: list[tuple[datetime, datetime]]) -> None:
        self.intervals = intervals
        self._ends = [end for _, end in intervals]

    @property
    def total(self) -> timedelta:
        return sum((end - start for start, end in self.intervals), timedelta(0))

    def pieces(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """[start, end) cut down to the opening intervals."""
        out = []
        # Intervals are sorted and disjoint: skip those ending before the start.
        for open_start, open_end in self.intervals[bisect.bisect_right(self._ends, start):]:
            if open_start >= end:
                break
            piece_start, piece_end = max(start, open_start), min(end, open_end)
            if piece_end > piece_start:
                out.append((piece_start, piece_end))
        return out


def add_by_local_hour(grid: list[list[float]], start: datetime, end: datetime, calendar: SiteCalendar) -> None:
    """Spread [start, end) over (weekday, hour of day) cells of site time, in hours."""
    cursor, end = start.astimezone(UTC), end.astimezone(UTC)
    while cursor < end:
        local = cursor.astimezone(calendar.tz)
        if local.hour == 23:
            boundary = local_moment(local.date() + timedelta(days=1), time(0), calendar.tz)
        else:
            boundary = local_moment(local.date(), time(local.hour + 1), calendar.tz)
        boundary = boundary.astimezone(UTC)
        # A wall-clock hour that DST skips or repeats still moves the cursor forward.
        if boundary <= cursor:
            boundary = cursor + HOUR
        piece_end = min(end, boundary)
        grid[local.weekday()][local.hour] += hours(piece_end - cursor)
        cursor = piece_end


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def no_show_counts(bookings: list[dict], period: Period, now: datetime) -> tuple[int, int]:
    """(no-shows, bookings that could have been a no-show) among bookings starting in the period.

    Cancelled bookings never count; a confirmed booking counts once its start has passed (it is
    a no-show in the making until the sweep marks it)."""
    no_shows = base = 0
    for booking in bookings:
        if not period.contains(booking["starts_at"]):
            continue
        status = booking["status"]
        if status == "no_show":
            no_shows += 1
            base += 1
        elif status in ("returned", "checked_out") or (status == "confirmed" and booking["starts_at"] < now):
            base += 1
    return no_shows, base


def overdue_loans(bookings: list[dict], period: Period, now: datetime, tags: dict[int, dict]) -> dict:
    """Loans due in the period that are still out past their end, or came back after it."""
    loans = []
    for booking in bookings:
        due = booking["ends_at"].astimezone(UTC)
        if not period.contains(due) or due >= now:
            continue
        if booking["status"] == "checked_out":
            back, still_out = now, True
        elif booking["status"] == "returned" and booking.get("returned_at") and booking["returned_at"] > due:
            back, still_out = booking["returned_at"].astimezone(UTC), False
        else:
            continue
        resource = tags[booking["resource_id"]]
        loans.append({
            "booking_id": booking["id"], "tag": resource["tag"], "resource_name": resource["name"],
            "kind": resource["kind"], "user_name": booking.get("user_name"), "user_login": booking.get("user_login"),
            "due_at": booking["ends_at"], "returned_at": None if still_out else booking["returned_at"], "still_out": still_out,
            "overdue_hours": round(hours(back - due), 2),
        })
    loans.sort(key=lambda loan: (-loan["overdue_hours"], loan["booking_id"]))
    late = [loan["overdue_hours"] for loan in loans]
    return {
        "count": len(loans),
        "still_out": sum(loan["still_out"] for loan in loans),
        "total_hours": round(sum(late), 2),
        "max_hours": max(late, default=0.0),
        "mean_hours": round(sum(late) / len(late), 2) if late else None,
        "loans": loans,
    }


@dataclass
class Tally:
    """What the bookings add up to: per unit (count, clock and open time, its bookings for the
    no-show rate), and the weekday x hour starts and occupancy of the heat map."""

    per_resource: dict[int, dict]
    starts: list[list[int]]
    occupancy: list[list[float]]

    @classmethod
    def of(cls, bookings: list[dict], by_id: dict[int, dict], period: Period, open_time: OpenTime,
           calendar: SiteCalendar) -> "Tally":
        tally = cls({rid: {"bookings": 0, "booked": timedelta(0), "booked_open": timedelta(0), "items": []}
                     for rid in by_id},
                    [[0] * 24 for _ in WEEKDAYS], [[0.0] * 24 for _ in WEEKDAYS])
        for booking in bookings:
            if booking["resource_id"] in by_id:
                tally.add(booking, period, open_time, calendar)
        return tally

    def add(self, booking: dict, period: Period, open_time: OpenTime, calendar: SiteCalendar) -> None:
        figures = self.per_resource[booking["resource_id"]]
        figures["items"].append(booking)
        if booking["status"] not in HOLDING:
            return
        start = max(booking["starts_at"].astimezone(UTC), period.starts_at)
        end = min(booking["ends_at"].astimezone(UTC), period.ends_at)
        if end <= start:
            return
        figures["bookings"] += 1
        figures["booked"] += end - start
        for piece_start, piece_end in open_time.pieces(start, end):
            figures["booked_open"] += piece_end - piece_start
            add_by_local_hour(self.occupancy, piece_start, piece_end, calendar)
        if period.contains(booking["starts_at"]):
            local_start = booking["starts_at"].astimezone(calendar.tz)
            self.starts[local_start.weekday()][local_start.hour] += 1


def resource_row(resource: dict, figures: dict, period: Period, now: datetime, open_hours: float) -> dict:
    no_shows, base = no_show_counts(figures["items"], period, now)
    booked_open = hours(figures["booked_open"])
    return {
        "tag": resource["tag"], "name": resource["name"], "kind": resource["kind"], "status": resource["status"],
        "bookings": figures["bookings"],
        "booked_hours": round(hours(figures["booked"]), 2),
        "booked_open_hours": round(booked_open, 2),
        "open_hours": round(open_hours, 2),
        "utilisation": ratio(booked_open, open_hours),
        "no_shows": no_shows, "no_show_base": base, "no_show_rate": ratio(no_shows, base),
    }


def utilisation_report(*, calendar: SiteCalendar, period: Period, now: datetime,
                       resources: list[dict], bookings: list[dict]) -> dict:
    """Every figure of the report.

    resources: dicts with id, tag, name, kind, status. bookings: dicts with id, resource_id,
    status, starts_at, ends_at, returned_at (and user_name/user_login for the overdue list),
    every non-cancelled booking of those resources that overlaps the period.

    Utilisation is the booked time inside opening hours over the opening hours: a laptop lent
    from Monday 09:00 to Tuesday 18:00 is booked for 18 open hours, not 33 clock hours, so no
    unit exceeds 100 %. `booked_hours` keeps the clock hours (clipped to the period) alongside.
    """
    open_time = OpenTime(opening_intervals(calendar, period))
    open_hours = hours(open_time.total)
    by_id = {resource["id"]: resource for resource in resources}
    tally = Tally.of(bookings, by_id, period, open_time, calendar)
    resource_rows = [
        resource_row(resource, tally.per_resource[rid], period, now, open_hours)
        for rid, resource in sorted(by_id.items(), key=lambda item: (KINDS.index(item[1]["kind"]), item[1]["tag"]))]

    kind_rows = [kind_summary(kind, [row for row in resource_rows if row["kind"] == kind], open_hours)
                 for kind in KINDS if any(row["kind"] == kind for row in resource_rows)]
    return {
        "open_hours": round(open_hours, 2),
        "totals": kind_summary(None, resource_rows, open_hours),
        "kinds": kind_rows,
        "resources": resource_rows,
        "overdue": overdue_loans(bookings, period, now, by_id),
        "heatmap": {
            "weekdays": list(WEEKDAYS),
            "starts": tally.starts,
            "occupancy_hours": [[round(cell, 2) for cell in row] for row in tally.occupancy],
        },
    }


def unit_brief(row: dict) -> dict:
    return {"tag": row["tag"], "name": row["name"], "booked_open_hours": row["booked_open_hours"],
            "utilisation": row["utilisation"]}


def kind_summary(kind: str | None, rows: list[dict], open_hours: float) -> dict:
    """Sums over units; utilisation over every unit's open hours together."""
    booked_open = sum(row["booked_open_hours"] for row in rows)
    no_shows = sum(row["no_shows"] for row in rows)
    base = sum(row["no_show_base"] for row in rows)
    summary = {
        "units": len(rows),
        "bookings": sum(row["bookings"] for row in rows),
        "booked_hours": round(sum(row["booked_hours"] for row in rows), 2),
        "booked_open_hours": round(booked_open, 2),
        "open_hours": round(open_hours * len(rows), 2),
        "utilisation": ratio(booked_open, open_hours * len(rows)),
        "no_shows": no_shows, "no_show_base": base, "no_show_rate": ratio(no_shows, base),
    }
    if kind is None:
        return summary
    # Most and least used share the units (the most used get the odd one): a unit is never in both
    # lists, which read as a contradiction with fewer than twice RANK_SIZE units (issue 28).
    ranked = sorted(rows, key=lambda row: (-row["booked_open_hours"], row["tag"]))
    most = min(RANK_SIZE, (len(ranked) + 1) // 2)
    least = ranked[most:][::-1][:RANK_SIZE]
    return {"kind": kind, **summary, "most_used": [unit_brief(row) for row in ranked[:most]],
            "least_used": [unit_brief(row) for row in least]}
