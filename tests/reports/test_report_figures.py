"""The utilisation report's figures on a hand-built week, computed by hand (no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fablab.domain.errors import InvalidInput
from fablab.reports import render
from fablab.reports.service import parse_period
from fablab.reports.utilisation import Period, utilisation_report
from fablab.sites.calendar import SiteCalendar

PARIS = ZoneInfo("Europe/Paris")
WEEKDAY_HOURS = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A wall-clock time of 2026 in Paris."""
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def calendar(closures=()) -> SiteCalendar:
    return SiteCalendar.build(timezone_name="Europe/Paris", opening_hours=WEEKDAY_HOURS,
                              closures=list(closures), years=[2026])


RESOURCES = [
    {"id": 1, "tag": "T-LAP-001", "name": "Portable 1", "kind": "laptop", "status": "available"},
    {"id": 2, "tag": "T-LAP-002", "name": "Portable 2", "kind": "laptop", "status": "available"},
    {"id": 3, "tag": "T-ROOM-001", "name": "Salle 1", "kind": "room", "status": "available"},
    {"id": 4, "tag": "T-P3D-001", "name": "Imprimante 1", "kind": "printer_3d", "status": "available"},
]


def booking(booking_id, resource_id, status, starts_at, ends_at, returned_at=None, user="Inès B."):
    return {"id": booking_id, "resource_id": resource_id, "status": status, "starts_at": starts_at,
            "ends_at": ends_at, "returned_at": returned_at, "user_name": user, "user_login": f"u{booking_id}"}


# The week of Monday 16 to Sunday 22 November 2026 (no public holiday), seen on Saturday at noon.
NOW = at(21, 12)
WEEK_BOOKINGS = [
    # Laptops lent by the day: Mon 09:00 → Tue 18:00 is 33 clock hours, 18 of them open.
    booking(1, 1, "returned", at(16, 9), at(17, 18), returned_at=at(17, 17)),
    # Thu 09:00 → Fri 18:00, still out on Saturday noon: 18 h overdue.
    booking(2, 1, "checked_out", at(19, 9), at(20, 18)),
    booking(3, 2, "no_show", at(18, 9), at(18, 18)),
    booking(4, 2, "cancelled", at(20, 9), at(20, 18)),
    booking(5, 3, "returned", at(16, 10), at(16, 12), returned_at=at(16, 12)),
    # Returned half an hour late.
    booking(6, 3, "returned", at(17, 14), at(17, 15, 30), returned_at=at(17, 16)),
    booking(7, 3, "no_show", at(18, 9), at(18, 10)),
    # Overnight print: 12 clock hours, 2 open (16:00-18:00).
    booking(8, 4, "returned", at(19, 16), at(20, 4), returned_at=at(20, 4)),
    # Began on Sunday 15 at 22:00: the period keeps Monday 00:00-10:00 (10 h), 1 h of it open.
    booking(9, 4, "returned", at(15, 22), at(16, 10), returned_at=at(16, 10)),
    # Saturday afternoon, still to come: closed day, so 2 clock hours and no open hour.
    booking(10, 4, "confirmed", at(21, 14), at(21, 16)),
]


@pytest.fixture
def week_report():
    cal = calendar()
    return utilisation_report(calendar=cal, period=Period.of(date(2026, 11, 16), date(2026, 11, 22), cal),
                              now=NOW, resources=RESOURCES, bookings=WEEK_BOOKINGS)


def test_open_hours_are_the_weeks_opening_hours(week_report):
    assert week_report["open_hours"] == 5 * 9


def test_per_resource_figures(week_report):
    rows = {row["tag"]: row for row in week_report["resources"]}
    lap1, lap2, room, printer = (rows[t] for t in ("T-LAP-001", "T-LAP-002", "T-ROOM-001", "T-P3D-001"))
    assert (lap1["bookings"], lap1["booked_hours"], lap1["booked_open_hours"]) == (2, 66, 36)
    assert lap1["utilisation"] == 0.8  # 36 / 45
    assert (lap1["no_shows"], lap1["no_show_base"], lap1["no_show_rate"]) == (0, 2, 0.0)
    # A no-show and a cancellation hold nothing.
    assert (lap2["bookings"], lap2["booked_hours"], lap2["utilisation"]) == (0, 0, 0.0)
    assert (lap2["no_shows"], lap2["no_show_base"], lap2["no_show_rate"]) == (1, 1, 1.0)
    assert (room["bookings"], room["booked_hours"], room["booked_open_hours"]) == (2, 3.5, 3.5)
    assert room["utilisation"] == round(3.5 / 45, 4)
    assert room["no_show_rate"] == round(1 / 3, 4)
    assert (printer["bookings"], printer["booked_hours"], printer["booked_open_hours"]) == (3, 12 + 10 + 2, 2 + 1 + 0)
    # Only the overnight print started in the period and is past: the future one is no candidate.
    assert (printer["no_shows"], printer["no_show_base"]) == (0, 1)


def test_per_kind_and_totals(week_report):
    kinds = {row["kind"]: row for row in week_report["kinds"]}
    laptops = kinds["laptop"]
    assert (laptops["units"], laptops["bookings"], laptops["open_hours"]) == (2, 2, 90)
    assert laptops["utilisation"] == 0.4  # 36 / 90
    assert laptops["no_show_rate"] == round(1 / 3, 4)
    # Two units: one the most used, the other the least; never one unit in both lists (issue 28).
    assert [unit["tag"] for unit in laptops["most_used"]] == ["T-LAP-001"]
    assert [unit["tag"] for unit in laptops["least_used"]] == ["T-LAP-002"]
    assert [unit["tag"] for unit in kinds["room"]["most_used"]] == ["T-ROOM-001"] and kinds["room"]["least_used"] == []
    assert [row["kind"] for row in week_report["kinds"]] == ["laptop", "printer_3d", "room"]
    totals = week_report["totals"]
    assert (totals["units"], totals["bookings"], totals["booked_hours"]) == (4, 7, 93.5)
    assert (totals["booked_open_hours"], totals["open_hours"]) == (42.5, 180)
    assert totals["utilisation"] == round(42.5 / 180, 4)
    assert (totals["no_shows"], totals["no_show_base"]) == (2, 7)


def test_overdue_loans_still_out_and_returned_late(week_report):
    overdue = week_report["overdue"]
    assert [(loan["booking_id"], loan["still_out"], loan["overdue_hours"]) for loan in overdue["loans"]] == [
        (2, True, 18.0), (6, False, 0.5)]
    assert (overdue["count"], overdue["still_out"], overdue["total_hours"]) == (2, 1, 18.5)
    assert (overdue["max_hours"], overdue["mean_hours"]) == (18.0, 9.25)
    assert overdue["loans"][0]["returned_at"] is None and overdue["loans"][1]["returned_at"] == at(17, 16)


def test_heatmap_counts_starts_and_open_occupancy_in_site_time(week_report):
    heatmap = week_report["heatmap"]
    starts = {(day, hour): n for day, row in enumerate(heatmap["starts"]) for hour, n in enumerate(row) if n}
    # Mon 09 laptop, Thu 09 laptop, Mon 10 room, Tue 14 room, Thu 16 print, Sat 14 print (to come).
    assert starts == {(0, 9): 1, (3, 9): 1, (0, 10): 1, (1, 14): 1, (3, 16): 1, (5, 14): 1}
    occupancy = heatmap["occupancy_hours"]
    assert occupancy[0][8] == 0 and occupancy[0][9] == 2  # laptop + the print begun on Sunday
    assert occupancy[0][10] == occupancy[0][11] == 2 and occupancy[0][12] == 1  # laptop + room
    assert occupancy[1][14] == 2 and occupancy[1][15] == 1.5  # laptop + room until 15:30
    assert occupancy[3][16] == occupancy[3][17] == 2 and occupancy[4][3] == 0  # night hours are closed
    assert sum(map(sum, occupancy)) == pytest.approx(42.5)


def test_closures_and_holidays_leave_open_hours_out():
    # 11 November is a public holiday; the site also closes on Thursday 12.
    cal = calendar(closures=[(date(2026, 11, 12), date(2026, 11, 12))])
    report = utilisation_report(calendar=cal, period=Period.of(date(2026, 11, 9), date(2026, 11, 15), cal),
                                now=NOW, resources=RESOURCES[:1], bookings=[])
    assert report["open_hours"] == 3 * 9
    assert report["resources"][0]["utilisation"] == 0.0


def test_hours_across_the_autumn_clock_change_stay_wall_clock():
    # Clocks go back on Sunday 25 October 2026: 09:00 is 07:00 UTC before, 08:00 UTC after.
    cal = calendar()
    period = Period.of(date(2026, 10, 19), date(2026, 10, 30), cal)
    assert period.ends_at - period.starts_at == timedelta(days=12, hours=1)
    bookings = [booking(1, 3, "returned", at(23, 9, month=10), at(23, 10, month=10)),
                booking(2, 3, "returned", at(26, 9, month=10), at(26, 10, month=10))]
    report = utilisation_report(calendar=cal, period=period, now=NOW, resources=RESOURCES[2:3], bookings=bookings)
    assert report["open_hours"] == 10 * 9
    assert report["heatmap"]["starts"][4][9] == 1 and report["heatmap"]["starts"][0][9] == 1
    assert report["heatmap"]["occupancy_hours"][0][9] == 1.0
    assert report["resources"][0]["booked_open_hours"] == 2


def test_period_defaults_and_refusals():
    tuesday = date(2026, 11, 24)
    assert parse_period(None, None, tuesday) == (date(2026, 11, 23), date(2026, 11, 29))
    assert parse_period("2026-11-01", None, tuesday) == (date(2026, 11, 1), date(2026, 11, 7))
    assert parse_period(None, "2026-11-30", tuesday) == (date(2026, 11, 24), date(2026, 11, 30))
    assert parse_period("2026-11-01", "2026-11-30", tuesday) == (date(2026, 11, 1), date(2026, 11, 30))
    for raw_from, raw_to, code in [("2026-13-01", None, "invalid_date"), ("yesterday", None, "invalid_date"),
                                   ("2026-11-30", "2026-11-01", "invalid_period"),
                                   ("2025-01-01", "2026-11-30", "invalid_period")]:
        with pytest.raises(InvalidInput) as caught:
            parse_period(raw_from, raw_to, tuesday)
        assert caught.value.code == code


def test_csv_neutralises_formula_like_names(week_report):
    report = {"site": {"slug": "t", "name": "T", "timezone": "Europe/Paris"}, **week_report}
    report["resources"][0]["name"] = "=HYPERLINK(\"http://evil\")"
    report["overdue"]["loans"][0]["user_name"] = "@SUM(1+1)"
    resources = render.to_csv(report, "resources")
    assert resources.startswith('\ufeff"tag","name","kind","status","bookings",')
    assert "T-LAP-001,'=HYPERLINK" in resources.replace('"', "")
    overdue = render.to_csv(report, "overdue")
    assert "'@SUM(1+1)" in overdue and "2026-11-20T18:00+01:00" in overdue
    heatmap = render.to_csv(report, "heatmap")
    assert heatmap.count("\r\n") == 1 + 14  # header, then starts and occupancy for 7 days


def test_text_tables_for_the_terminal(week_report):
    report = {"site": {"slug": "t", "name": "T", "timezone": "Europe/Paris"}, "from": date(2026, 11, 16),
              "to": date(2026, 11, 22), **week_report}
    text = render.to_text(report)
    assert "== resources ==" in text and "== overdue ==" in text and "== heatmap ==" in text
    assert "T-LAP-001" in text and "80.0 %" in text
