"""Recurring bookings: per-date reports, the conflict choice, scoped cancel and edit, the rule."""

from datetime import date, datetime, time, timedelta

import holidays
import pytest

from fablab.platform import db
from fablab.series.recurrence import WeeklyRule
from fablab.domain.errors import InvalidInput
from tests.support.bookings import PARIS, assert_problem, book
from tests.support.series import WEEKS, at, clear_tuesdays, close_and_conflict, series_bookings, weekly_room



async def test_ten_weeks_with_a_closure_and_a_conflict(staff):
    days = clear_tuesdays()
    closed, taken = await close_and_conflict(staff, days)

    # Default choice: create none, and say why, date by date.
    refused = await staff.post("/api/series", json=weekly_room(days))
    assert_problem(refused, 409, "series_conflicts")
    report = {row["date"]: row for row in refused.json()["occurrences"]}
    assert len(report) == WEEKS
    assert report[closed.isoformat()]["outcome"] == "closure"
    assert report[closed.isoformat()]["detail"] == "Journée pédagogique"
    assert report[taken.isoformat()]["outcome"] == "conflict"
    assert "learner" in report[taken.isoformat()]["detail"].lower() or "Révisions" in report[taken.isoformat()]["detail"]
    assert {row["outcome"] for day, row in report.items() if day not in (closed.isoformat(), taken.isoformat())} == {"created"}
    assert await series_bookings() == []
    assert await db.fetchval("SELECT count(*) FROM booking_series") == 0

    # The other choice: every date but the conflict (the closure is skipped either way).
    created = await staff.post("/api/series", json=weekly_room(days, on_conflict="all_but_conflicts"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["created"] == 8
    assert body["conflicts"] == [taken.isoformat()] and body["skipped"] == [closed.isoformat()]
    series = body["series"]
    assert series["rule"]["rrule"] == "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=10"
    assert len(series["bookings"]) == 8
    rows = await series_bookings(series["id"])
    assert [row["occurrence_date"] for row in rows] == [d for d in days if d not in (closed, taken)]
    assert all(row["status"] == "confirmed" and row["sequence"] == 0 for row in rows)
    first = series["bookings"][0]
    assert datetime.fromisoformat(first["starts_at"]) == datetime.fromisoformat(at(days[0], 9))
    assert datetime.fromisoformat(first["ends_at"]) == datetime.fromisoformat(at(days[0], 12, 30))

    # "This and following" from week 5: weeks 5, 7, 9 and 10 (6 is closed, 8 was taken).
    week5 = next(row["id"] for row in rows if row["occurrence_date"] == days[4])
    cancelled = await staff.post(f"/api/bookings/{week5}/cancel", json={"scope": "following"})
    assert cancelled.status_code == 200, cancelled.text
    assert len(cancelled.json()["cancelled"]) == 4
    after = {row["occurrence_date"]: row for row in await series_bookings(series["id"])}
    for day in (days[4], days[6], days[8], days[9]):
        assert after[day]["status"] == "cancelled" and after[day]["sequence"] == 1
    for day in days[:4]:
        assert after[day]["status"] == "confirmed" and after[day]["sequence"] == 0


async def test_dry_run_reports_and_creates_nothing(staff):
    days = clear_tuesdays(4)
    response = await staff.post("/api/series", json=weekly_room(days, dry_run=True))
    assert response.status_code == 200, response.text
    assert response.json()["dry_run"] is True and response.json()["created"] == 4
    assert await series_bookings() == [] and await db.fetchval("SELECT count(*) FROM booking_series") == 0


async def test_a_set_of_laptops_for_a_cohort(staff):
    days = clear_tuesdays(2)
    body = {"site": "vlg", "kind": "laptop", "quantity": 5, "first_day": days[0].isoformat(),
            "start_time": "09:00", "end_time": "18:00", "until": days[1].isoformat(), "purpose": "Cohorte B"}
    response = await staff.post("/api/series", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 10
    per_day = await db.fetch("SELECT occurrence_date, count(DISTINCT resource_id) AS units FROM booking "
                             "WHERE series_id IS NOT NULL GROUP BY 1 ORDER BY 1")
    assert [(row["occurrence_date"], row["units"]) for row in per_day] == [(days[0], 5), (days[1], 5)]
    # Only 7 left: a second cohort asking for 8 gets a conflict on each date, and nothing.
    again = await staff.post("/api/series", json={**body, "quantity": 8})
    assert_problem(again, 409, "series_conflicts")
    assert [row["detail"] for row in again.json()["occurrences"]] == ["7 sur 8 libre(s)."] * 2


async def test_edit_the_whole_series_moves_every_occurrence_or_none(staff):
    days = clear_tuesdays(3)
    series = (await staff.post("/api/series", json=weekly_room(days))).json()["series"]
    ids = [b["id"] for b in series["bookings"]]
    moved = await staff.patch(f"/api/bookings/{ids[1]}", json={"scope": "series", "start_time": "14:00",
                                                                "end_time": "16:00"})
    assert moved.status_code == 200, moved.text
    rows = await db.fetch("SELECT starts_at, ends_at, sequence FROM booking WHERE id = ANY($1::bigint[]) "
                          "ORDER BY starts_at", ids)
    assert [r["starts_at"] for r in rows] == [datetime.fromisoformat(at(d, 14)) for d in days]
    assert all(r["sequence"] == 1 for r in rows)

    # A learner holds 15:00 on the last date: moving to 15:00 refuses everything.
    await db.fetch(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until) "
        "SELECT r.id, r.site_id, r.kind, u.id, $1, $2, $2 FROM resource r, app_user u "
        "WHERE r.tag = 'VLG-ROOM-001' AND u.login = 'learner2'",
        datetime.fromisoformat(at(days[2], 16, 30)), datetime.fromisoformat(at(days[2], 17)))
    clash = await staff.patch(f"/api/bookings/{ids[0]}", json={"scope": "series", "start_time": "15:00",
                                                                "end_time": "17:00"})
    assert_problem(clash, 409, "series_conflicts")
    unchanged = await db.fetch("SELECT starts_at, sequence FROM booking WHERE id = ANY($1::bigint[])", ids)
    assert all(r["sequence"] == 1 and r["starts_at"].astimezone(PARIS).hour == 14 for r in unchanged)


async def test_cancel_the_whole_series(staff):
    days = clear_tuesdays(3)
    series = (await staff.post("/api/series", json=weekly_room(days))).json()["series"]
    response = await staff.post(f"/api/bookings/{series['bookings'][2]['id']}/cancel", json={"scope": "series"})
    assert response.status_code == 200 and len(response.json()["cancelled"]) == 3
    assert (await staff.get(f"/api/series/{series['id']}")).json()["cancelled_at"] is not None


async def test_series_are_for_staff_and_bad_rules_are_4xx(learner, staff):
    days = clear_tuesdays(2)
    assert_problem(await learner.post("/api/series", json=weekly_room(days)), 403, "forbidden")
    assert_problem(await staff.post("/api/series", json=weekly_room(days, count=None)), 400, "until_or_count")
    assert_problem(await staff.post("/api/series", json=weekly_room(days, weekdays=["xyz"])), 400, "invalid_weekday")
    assert_problem(await staff.post("/api/series", json=weekly_room(days, end_time="08:00")), 400, "ends_before_start")
    assert_problem(await staff.post("/api/series", json=weekly_room(days, start_time="25:00")), 400, "invalid_time")
    assert_problem(await staff.post("/api/series", json=weekly_room(days, weekdays=["sun"])), 400, "no_occurrences")
    assert_problem(await staff.post("/api/series", json=weekly_room(days, resource="NOPE-1")), 404, "unknown_tag")
    assert_problem(await staff.post("/api/series", json={**weekly_room(days), "site": "vlg"}), 400, "resource_or_kind")
    assert (await staff.post("/api/bookings/1/cancel", json={"scope": "everything"})).status_code in (400, 422)
    assert await db.fetchval("SELECT count(*) FROM booking") == 0


def test_rule_dates_every_other_week_on_two_days():
    rule = WeeklyRule.build(first_day=date(2027, 1, 6), start_time="09:00", end_time="10:00",
                            weekdays=["mon", "wed"], interval=2, until=date(2027, 2, 1), count=None)
    # Wednesday 6 January starts the first week (its Monday is before the first day).
    assert rule.dates() == [date(2027, 1, 6), date(2027, 1, 18), date(2027, 1, 20), date(2027, 2, 1)]
    assert rule.rrule() == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20270201"


def test_rule_refuses_endless_series():
    with pytest.raises(InvalidInput) as refused:
        WeeklyRule.build(first_day=date(2027, 1, 4), start_time="09:00", end_time="10:00",
                         weekdays=list(("mon", "tue", "wed", "thu", "fri")), interval=1,
                         until=date(2028, 1, 4), count=None).dates()
    assert refused.value.code == "too_many_occurrences"


async def test_a_started_or_cancelled_booking_cannot_be_moved(staff, learner):
    booking_id = (await book(learner, start=(10, 0), end=(11, 0))).json()["id"]
    assert (await learner.post(f"/api/bookings/{booking_id}/cancel")).status_code == 200
    assert_problem(await staff.patch(f"/api/bookings/{booking_id}", json={"start_time": "14:00", "end_time": "15:00"}),
                   409, "not_editable")
    assert_problem(await staff.patch(f"/api/bookings/{booking_id}", json={"scope": "series", "purpose": "x"}),
                   400, "not_in_series")
    assert_problem(await learner.patch(f"/api/bookings/{booking_id}", json={"purpose": "x"}), 403, "forbidden")


async def test_a_first_day_years_away_is_refused(staff):
    # Beyond the range every date of the API keeps (fablab.domain.moments), and within it but years away.
    for first_day, code in (("9999-12-28", "date_out_of_range"), ("0001-01-02", "date_out_of_range"),
                            ("2090-01-03", "invalid_dates")):
        body = {**weekly_room(clear_tuesdays(1)), "first_day": first_day, "count": 3}
        assert_problem(await staff.post("/api/series", json=body), 400, code)


async def test_a_dry_run_with_taken_dates_is_a_preview_not_a_refusal(staff):
    days = clear_tuesdays()
    closed, taken = await close_and_conflict(staff, days)
    response = await staff.post("/api/series", json=weekly_room(days, dry_run=True))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conflicts"] == [taken.isoformat()] and body["skipped"] == [closed.isoformat()]
    assert body["created"] == 8 and body["series"] is None
    assert await series_bookings() == [] and await db.fetchval("SELECT count(*) FROM booking_series") == 0


async def test_occurrences_keep_their_own_uids_and_name_their_series_in_feeds(staff, anon):
    import icalendar

    days = clear_tuesdays(3)
    series = (await staff.post("/api/series", json=weekly_room(days))).json()["series"]
    ids = [b["id"] for b in series["bookings"]]
    await staff.post(f"/api/bookings/{ids[1]}/cancel")
    feed = icalendar.Calendar.from_ical((await anon.get("/cal/resources/VLG-ROOM-001.ics")).content)
    events = {str(e["UID"]): e for e in feed.walk("VEVENT") if str(e["UID"]).startswith("booking-")}
    assert sorted(events) == sorted(f"booking-{i}.public@testserver" for i in ids)
    assert {str(e["RELATED-TO"]) for e in events.values()} == {f"series-{series['id']}@testserver"}
    assert str(events[f"booking-{ids[1]}.public@testserver"]["STATUS"]) == "CANCELLED"
    assert str(events[f"booking-{ids[0]}.public@testserver"]["STATUS"]) == "CONFIRMED"


async def test_an_edit_holds_its_units_insert_locks_before_moving_anything(staff):
    # A learner's INSERT on a unit being edited must queue behind the edit (the unit lock every
    # booking INSERT takes), not wait for the edit's UPDATE inside the exclusion check.
    from fablab.accounts.current import CurrentUser
    from fablab.bookings import edits as series_module
    from fablab.bookings.units import UNIT_INSERT_LOCK
    from fablab.platform.db import DB

    days = clear_tuesdays(2)
    created = (await staff.post("/api/series", json=weekly_room(days))).json()["series"]
    first = created["bookings"][0]["id"]
    unit = await db.fetchval("SELECT resource_id FROM booking WHERE id = $1", first)
    actor = CurrentUser(id=await db.fetchval("SELECT id FROM app_user WHERE login = 'staff.vlg'"), login="staff.vlg",
                        name="", role="staff", site_id=None, site="vlg", session_id=0,
                        site_ids=frozenset({await db.fetchval("SELECT id FROM site WHERE slug = 'vlg'")}))
    async with DB.transaction():
        await series_module.edit_occurrences(actor=actor, booking_id=first, scope="series", start_time=time(14),
                                             end_time=time(15))
        held = await db.fetch("SELECT classid, objid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                              "AND pid = pg_backend_pid()")
    assert [(row["classid"], row["objid"]) for row in held] == [(UNIT_INSERT_LOCK, unit)]
