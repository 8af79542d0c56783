"""The impact report's figures from plain rows (fablab/reports/impact.py), without a database: what
each figure counts and, as much, what it leaves out."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from fablab.reports.impact import ImpactPeriod, ImpactRows, attended_hours, impact_figures

PARIS = "Europe/Paris"
NOW = datetime(2026, 7, 1, 12, tzinfo=ZoneInfo(PARIS))
SPRING = ImpactPeriod(date(2026, 3, 1), date(2026, 6, 30), NOW)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(PARIS))


def workshop(wid: int, start: datetime, hours: int = 3, capacity: int = 10, status: str = "scheduled",
             course: int | None = None) -> dict:
    return {"id": wid, "site_id": 1, "course_id": course, "starts_at": start, "ends_at": start + timedelta(hours=hours),
            "capacity": capacity, "status": status, "timezone": PARIS}


def seat(sid: int, wid: int, user: int | None, role: str | None = "participant", came: tuple | None = None) -> dict:
    arrived, left = came if came else (None, None)
    return {"id": sid, "workshop_id": wid, "user_id": user, "role": role, "arrived_at": arrived, "left_at": left}


def test_only_held_workshops_count_and_a_cancelled_one_is_said_apart():
    rows = ImpactRows(workshops=[
        workshop(1, at(3, 10, 9), capacity=12),
        workshop(2, at(3, 11, 9), capacity=8, status="cancelled"),
        workshop(3, at(2, 28, 9)),  # the day before the period
        workshop(4, at(7, 2, 9)),  # in no period yet: after now
    ], seats=[seat(1, 1, 10), seat(2, 2, 11), seat(3, 3, 12)])
    figures = impact_figures(SPRING, rows)
    assert figures["workshops"] == {"held": 1, "cancelled": 1, "ended": 1, "unrecorded": 1}
    assert (figures["seats"]["offered"], figures["seats"]["taken"], figures["seats"]["fill_rate"]) == (12, 1, 0.0833)


def test_the_local_day_decides_the_period_not_utc():
    # 00:30 in Paris on 1 March is still 28 February in UTC: it belongs to the period.
    rows = ImpactRows(workshops=[workshop(1, at(3, 1, 0, 30)), workshop(2, at(7, 1, 0, 30))], seats=[])
    assert impact_figures(SPRING, rows)["workshops"]["held"] == 1


def test_a_participant_counts_once_with_the_hours_clipped_to_each_workshop():
    rows = ImpactRows(
        workshops=[workshop(1, at(3, 10, 9)), workshop(2, at(4, 10, 9))],
        seats=[seat(1, 1, 10, came=(at(3, 10, 8), at(3, 10, 13))),  # early and late: 3 h, not 5
               seat(2, 2, 10, came=(at(4, 10, 9, 30), at(4, 10, 11))),  # late and left early: 1.5 h
               seat(3, 2, 11)],
        people={10: {"birth_date": date(2010, 3, 20), "birth_year": None, "status": "pupil", "partner_id": None},
                11: {"birth_date": None, "birth_year": None, "status": "neet", "partner_id": None}})
    figures = impact_figures(SPRING, rows)
    people = figures["participants"]
    assert (people["unique"], people["registered"], people["new"], people["returning"]) == (1, 2, 1, 0)
    # 15 on 10 March 2026 (the first workshop), though 16 by the second.
    assert {row["band"]: row["count"] for row in people["by_age"]} == {
        "under_16": 1, "16_17": 0, "18_25": 0, "over_25": 0, "unknown": 0}
    assert figures["hours"]["total"] == 4.5 and figures["hours"]["per_participant_median"] == 4.5
    assert attended_hours(at(3, 10, 9), at(3, 10, 12), at(3, 10, 13), at(3, 10, 14)) == 0.0


def test_no_shows_count_only_where_attendance_was_taken():
    rows = ImpactRows(
        workshops=[workshop(1, at(3, 10, 9)), workshop(2, at(3, 17, 9)), workshop(3, at(6, 30, 22), hours=16)],
        seats=[seat(1, 1, 10, came=(at(3, 10, 9), at(3, 10, 12))), seat(2, 1, 11), seat(3, 1, 12),
               seat(4, 2, 10), seat(5, 2, 11),  # nobody marked at all: attendance not taken
               seat(6, 3, 10, came=(at(6, 30, 22), at(6, 30, 23)))],  # under way: not a no-show base
        people={})
    figures = impact_figures(SPRING, rows)
    assert figures["seats"] == {"offered": 30, "taken": 6, "fill_rate": 0.2, "attended": 2,
                                "no_show_base": 3, "no_shows": 2, "no_show_rate": 0.6667}
    assert figures["workshops"]["unrecorded"] == 1


def test_visitors_and_forgotten_people_are_never_participants():
    rows = ImpactRows(
        workshops=[workshop(1, at(3, 10, 9))],
        seats=[seat(1, 1, 20, role="visitor", came=(at(3, 10, 9), at(3, 10, 12))),
               seat(2, 1, None, role=None, came=(at(3, 10, 9), at(3, 10, 12))),
               seat(3, 1, 21, role="staff", came=(at(3, 10, 9), at(3, 10, 12)))],
        visitors=[{"id": 20, "created_at": at(3, 10, 8), "timezone": PARIS},
                  {"id": 22, "created_at": at(2, 27, 8), "timezone": PARIS}])
    figures = impact_figures(SPRING, rows)
    assert figures["participants"]["unique"] == 0
    assert figures["participants"]["unidentified_attendances"] == 1
    assert figures["visitors"] == {"count": 1, "attended_workshops": 1}
    assert figures["hours"]["total"] == 9.0 and figures["hours"]["participants_total"] == 0
    assert figures["hours"]["per_participant_mean"] is None


def test_partners_statuses_and_returning_people():
    came = lambda month, day: (at(month, day, 9), at(month, day, 12))  # noqa: E731
    rows = ImpactRows(
        workshops=[workshop(1, at(3, 10, 9))],
        seats=[seat(i, 1, user, came=came(3, 10)) for i, user in enumerate((10, 11, 12, 13), 1)],
        people={10: {"birth_date": None, "birth_year": 2000, "status": "job_seeker", "partner_id": 1},
                11: {"birth_date": None, "birth_year": 2005, "status": "job_seeker", "partner_id": 2},
                12: {"birth_date": None, "birth_year": None, "status": None, "partner_id": 1},
                13: {"birth_date": None, "birth_year": None, "status": "neet", "partner_id": None}},
        partners={1: {"name": "Mission Locale", "kind": "mission_locale", "site": "vlg", "site_name": "V"},
                  2: {"name": "E2C", "kind": "e2c", "site": "vlg", "site_name": "V"}},
        returning={11, 99})
    people = impact_figures(SPRING, rows)["participants"]
    assert (people["new"], people["returning"]) == (3, 1)
    assert [(line["partner"] and line["partner"]["name"], line["count"]) for line in people["by_partner"]] == [
        ("Mission Locale", 2), ("E2C", 1), (None, 1)]
    statuses = {row["status"]: row["count"] for row in people["by_status"]}
    assert (statuses["job_seeker"], statuses["neet"], statuses["unknown"]) == (2, 1, 1)
    # Born in 2000: 25 at the youngest on 10 March 2026; born 2005: 20.
    assert {row["band"]: row["count"] for row in people["by_age"]}["18_25"] == 2


def test_a_course_is_completed_in_the_period_that_reaches_its_target():
    def came(user: int, wid: int, start: datetime, hours: int = 7) -> dict:
        return {"user_id": user, "role": "participant", "course_id": 5, "workshop_id": wid, "starts_at": start,
                "ends_at": start + timedelta(hours=hours), "timezone": PARIS, "arrived_at": start,
                "left_at": start + timedelta(hours=hours)}
    # User 10: 14 h in February, 21 h in March (35 h: completed in the period, started before it).
    # User 11: starts in March, 14 h: started, not completed.
    attendance = [came(10, 1, at(2, 2, 9)), came(10, 2, at(2, 9, 9)), *[came(10, w, at(3, w, 9)) for w in (3, 4, 5)],
                  came(11, 3, at(3, 3, 9)), came(11, 4, at(3, 4, 9))]
    rows = ImpactRows(workshops=[], seats=[], courses={5: {"title": "Fabriquer un drone", "target_hours": Decimal(35),
                                                           "site": "vlg", "site_name": "V"}},
                      course_attendance=attendance)
    courses = impact_figures(SPRING, rows)["courses"]
    assert (courses["running"], courses["started"], courses["completed"]) == (1, 1, 1)
    assert courses["list"][0]["participants"] == 2 and courses["list"][0]["target_hours"] == 35.0
    # The same course seen over February alone: both hours there, nobody completed yet.
    february = ImpactPeriod(date(2026, 2, 1), date(2026, 2, 28), NOW)
    assert impact_figures(february, rows)["courses"]["completed"] == 0


def test_hours_per_participant_fall_into_buckets():
    seats, workshops = [], []
    for n, hours in enumerate((2, 3, 12, 35), 1):
        workshops.append(workshop(n, at(3, n, 9), hours=hours, capacity=1))
        seats.append(seat(n, n, 100 + n, came=(at(3, n, 9), at(3, n, 9) + timedelta(hours=hours))))
    figures = impact_figures(SPRING, ImpactRows(workshops=workshops, seats=seats))
    assert [row["count"] for row in figures["hours"]["distribution"]] == [1, 1, 1, 0, 1]
    assert figures["hours"]["per_participant_mean"] == 13.0
