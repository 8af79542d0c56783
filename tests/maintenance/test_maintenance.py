"""Maintenance by use (issue 19): plans every N hours, loans or days; what is due; recording it
resets the counters; an overdue plan may refuse bookings and lending; machine hours per printer."""

from datetime import datetime, timedelta, timezone

import pytest

from fablab.platform import db
from fablab.domain.errors import PolicyViolation
from fablab.desk import checkout
from fablab.maintenance import service
from fablab.maintenance.rules import Plan, Usage, progress, state
from tests.support.clients import make_client, sign_in
from tests.support.bookings import assert_problem, at, book
from tests.support.desk import desk, lend

UTC = timezone.utc
PRINTER = "VLG-P3D-001"
NOZZLE = "Nettoyer la buse"


async def set_plan_start(tag: str, moment: datetime) -> None:
    """The plan was set at `moment` (its counters run from there for an item never maintained)."""
    await db.fetch("UPDATE maintenance_plan SET created_at = $2 WHERE resource_id = (SELECT id FROM resource "
                   "WHERE tag = $1) OR (resource_id IS NULL AND (site_id, kind) = (SELECT site_id, kind FROM "
                   "resource WHERE tag = $1))", tag, moment)


# --- the rules, pure -----------------------------------------------------------------------------

def test_the_furthest_measure_decides_and_soon_starts_at_80_percent():
    plan = Plan(task=NOZZLE, every_hours=10, every_loans=20)
    assert state(plan, Usage(hours=7.9, loans=3, days=1)) == "ok"
    assert state(plan, Usage(hours=8, loans=3, days=1)) == "soon"
    assert state(plan, Usage(hours=2, loans=20, days=1)) == "due"  # whichever comes first
    assert progress(plan, Usage(hours=10, loans=0, days=400)) == 1.0  # days are not a measure of this plan


# --- the story: a plan every 10 hours ----------------------------------------------------

async def test_a_printer_is_due_after_ten_hours_of_loans_and_recording_it_resets(staff, demo):
    put = await staff.put(f"/api/resources/{PRINTER}/maintenance-plan", json={"every_hours": 10, "task": NOZZLE})
    assert put.status_code == 200, put.text
    assert put.json()["plan"]["every_hours"] == 10 and put.json()["state"] == "ok"
    start = datetime.now(UTC) - timedelta(days=5)
    await set_plan_start(PRINTER, start - timedelta(hours=1))
    actor = await desk()
    await lend(actor, PRINTER, start, 4)
    await lend(actor, PRINTER, start + timedelta(days=1), 4)
    soon = (await staff.get("/api/maintenance/due", params={"site": "vlg"})).json()["items"]
    assert [(i["tag"], i["state"], i["counters"]["hours"], i["counters"]["loans"]) for i in soon] == [
        (PRINTER, "soon", 8.0, 2)]
    await lend(actor, PRINTER, start + timedelta(days=2), 2)
    due = (await staff.get("/api/maintenance/due", params={"site": "vlg"})).json()["items"]
    assert [(i["tag"], i["state"], i["counters"]["hours"], i["progress"]) for i in due] == [(PRINTER, "due", 10.0, 1.0)]
    item = (await staff.get(f"/api/resources/{PRINTER}/maintenance")).json()
    assert item["state"] == "due" and item["refuses_bookings"] is False  # this plan only warns

    done = await staff.post(f"/api/resources/{PRINTER}/maintenance", json={"note": "Buse changée"})
    assert done.status_code == 201, done.text
    body = done.json()
    assert body["state"] == "ok" and body["counters"]["hours"] == 0 and body["counters"]["loans"] == 0
    staff_name = await db.fetchval("SELECT name FROM app_user WHERE login = 'staff.vlg'")
    assert [(r["task"], r["note"], r["staff"]) for r in body["records"]] == [(NOZZLE, "Buse changée", staff_name)]
    assert (await staff.get("/api/maintenance/due", params={"site": "vlg"})).json()["items"] == []
    # The item's history tells it, newest first, after the three loans.
    history = (await staff.get("/api/movements", params={"tag": PRINTER})).json()
    assert history[0]["kind"] == "maintenance_done" and history[0]["note"] == f"{NOZZLE} — Buse changée"
    assert sorted(m["kind"] for m in history[1:]) == ["check_in"] * 3 + ["check_out"] * 3


async def test_an_open_loan_counts_up_to_now_and_a_loan_across_the_maintenance_only_after_it(demo):
    actor = await desk()
    start = datetime.now(UTC) - timedelta(days=3)
    await service.put_item_plan(actor=actor, tag=PRINTER, plan=Plan(task=NOZZLE, every_hours=100))
    await set_plan_start(PRINTER, start - timedelta(hours=1))
    await lend(actor, PRINTER, start, 6)
    await service.record_maintenance(actor=actor, tag=PRINTER, now=start + timedelta(hours=7))
    await checkout.check_out(actor=actor, tag=PRINTER, user_ref="learner3", due_at=start + timedelta(days=4),
                             now=start + timedelta(hours=8))
    now = start + timedelta(hours=11)
    item = await service.item_maintenance(actor=actor, tag=PRINTER, now=now)
    assert (item.counters.hours, item.counters.loans) == (3.0, 1)


async def test_every_n_loans_and_every_n_days(staff, demo):
    actor = await desk()
    laptop = "VLG-LAP-002"
    await staff.put(f"/api/resources/{laptop}/maintenance-plan", json={"every_loans": 2, "task": "Nettoyer le clavier"})
    start = datetime.now(UTC) - timedelta(days=4)
    await set_plan_start(laptop, start - timedelta(hours=1))
    await lend(actor, laptop, start, 1)
    assert (await staff.get(f"/api/resources/{laptop}/maintenance")).json()["state"] == "ok"  # 1 of 2: 50 %
    await lend(actor, laptop, start + timedelta(days=1), 1)
    assert (await staff.get(f"/api/resources/{laptop}/maintenance")).json()["state"] == "due"

    room = "VLG-ROOM-002"
    await staff.put(f"/api/resources/{room}/maintenance-plan", json={"every_days": 10, "task": "Vérifier le vidéoprojecteur"})
    await set_plan_start(room, datetime.now(UTC) - timedelta(days=8, hours=1))
    item = (await staff.get(f"/api/resources/{room}/maintenance")).json()
    assert item["state"] == "soon" and 8 <= item["counters"]["days"] < 8.1
    await set_plan_start(room, datetime.now(UTC) - timedelta(days=11))
    assert (await staff.get(f"/api/resources/{room}/maintenance")).json()["state"] == "due"
    done = (await staff.post(f"/api/resources/{room}/maintenance", json={})).json()
    assert done["state"] == "ok" and done["counters"]["days"] < 0.01


async def test_an_item_plan_overrides_the_kind_plan_and_removing_it_falls_back(staff, demo):
    kind = await staff.put("/api/sites/vlg/maintenance-plans/printer_3d", json={"every_hours": 50, "task": "Graisser les axes"})
    assert kind.status_code == 200 and kind.json() == {**kind.json(), "site": "vlg", "kind": "printer_3d", "every_hours": 50}
    other = (await staff.get("/api/resources/VLG-P3D-002/maintenance")).json()
    assert other["plan"]["task"] == "Graisser les axes" and other["own_plan"] is None
    own = (await staff.put(f"/api/resources/{PRINTER}/maintenance-plan", json={"every_hours": 10, "task": NOZZLE})).json()
    assert own["plan"]["task"] == NOZZLE and own["kind_plan"]["task"] == "Graisser les axes"
    plans = (await staff.get("/api/maintenance/plans", params={"site": "vlg"})).json()
    assert [p["kind"] for p in plans["kinds"]] == ["printer_3d"] and [p["tag"] for p in plans["items"]] == [PRINTER]
    # A second PUT replaces the plan (one row, the later values).
    await staff.put(f"/api/resources/{PRINTER}/maintenance-plan", json={"every_hours": 12, "task": NOZZLE})
    assert await db.fetchval("SELECT count(*) FROM maintenance_plan WHERE resource_id IS NOT NULL") == 1
    assert (await staff.delete(f"/api/resources/{PRINTER}/maintenance-plan")).status_code == 204
    assert (await staff.get(f"/api/resources/{PRINTER}/maintenance")).json()["plan"]["every_hours"] == 50
    assert (await staff.delete("/api/sites/vlg/maintenance-plans/printer_3d")).status_code == 204
    assert (await staff.get(f"/api/resources/{PRINTER}/maintenance")).json()["plan"] is None


# --- an overdue plan refuses bookings and lending ------------------------------------------------

async def test_an_overdue_plan_refuses_bookings_and_check_outs_until_it_is_recorded(staff, learner, demo):
    room = "VLG-ROOM-001"
    await staff.put(f"/api/resources/{room}/maintenance-plan",
                    json={"every_loans": 1, "task": "Ranger la salle", "refuse_when_overdue": True})
    start = datetime.now(UTC) - timedelta(days=2)
    await set_plan_start(room, start - timedelta(hours=1))
    actor = await desk()
    await lend(actor, room, start, 1)
    before = await db.fetchval("SELECT count(*) FROM booking")
    refused = await book(learner, room)
    assert_problem(refused, 422, "maintenance_overdue")
    assert refused.json()["task"] == "Ranger la salle"
    assert await db.fetchval("SELECT count(*) FROM booking") == before
    # By kind, the learner gets another room; at the desk the room is not lent.
    by_kind = await book(learner, None, site="vlg", kind="room")
    assert by_kind.status_code == 201 and by_kind.json()["resource"] != room
    with pytest.raises(PolicyViolation) as not_lent:
        await checkout.check_out(actor=actor, tag=room, user_ref="learner4",
                                 due_at=datetime.now(UTC) + timedelta(hours=1))
    assert not_lent.value.code == "maintenance_overdue"
    desk_try = await staff.post("/api/checkouts", json={"tag": room, "user": "learner4", "dry_run": True,
                                                        "due_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()})
    assert_problem(desk_try, 422, "maintenance_overdue")
    # Staff may still book past the rules (override); once recorded, the learner books it again.
    override = await book(staff, room, start=(14, 0), end=(15, 0), user="learner5", override_policy=True)
    assert override.status_code == 201, override.text
    await staff.post(f"/api/resources/{room}/maintenance", json={})
    assert (await book(learner, room, start=(16, 0), end=(17, 0))).status_code == 201


# --- bad input and sites -------------------------------------------------------------------------

@pytest.mark.parametrize("body, status, code", [
    ({"task": NOZZLE}, 400, "plan_needs_a_measure"),
    ({"task": NOZZLE, "every_hours": 0}, 400, "invalid_plan"),
    ({"task": NOZZLE, "every_days": 5000}, 400, "invalid_plan"),
    ({"task": "  ", "every_hours": 10}, 400, "task_required"),
    ({"task": NOZZLE, "every_hours": 10, "site": "pfs"}, 400, "invalid_input"),
    ({"task": NOZZLE, "every_hours": "dix"}, 400, "invalid_input"),
    ({"task": "x" * 201, "every_hours": 10}, 400, "invalid_input"),
])
async def test_bad_plans_are_refused_and_change_nothing(staff, body, status, code):
    assert_problem(await staff.put(f"/api/resources/{PRINTER}/maintenance-plan", json=body), status, code)
    assert_problem(await staff.put("/api/sites/vlg/maintenance-plans/printer_3d", json=body), status, code)
    assert await db.fetchval("SELECT count(*) FROM maintenance_plan") == 0


async def test_other_bad_requests(staff):
    assert_problem(await staff.put("/api/sites/vlg/maintenance-plans/drone", json={"every_hours": 1, "task": "x"}),
                   400, "unknown_kind")
    assert_problem(await staff.put("/api/sites/nowhere/maintenance-plans/room", json={"every_hours": 1, "task": "x"}),
                   404, "unknown_site")
    assert_problem(await staff.get("/api/resources/NOPE-1/maintenance"), 404, "unknown_tag")
    # No plan and no task: what was done must be said.
    assert_problem(await staff.post(f"/api/resources/{PRINTER}/maintenance", json={}), 400, "task_required")
    lent = await staff.post("/api/checkouts", json={"tag": PRINTER, "user": "learner3",
                                                    "due_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat()})
    assert lent.status_code == 201, lent.text
    assert_problem(await staff.post(f"/api/resources/{PRINTER}/maintenance", json={"task": NOZZLE}), 409, "checked_out")
    assert await db.fetchval("SELECT count(*) FROM maintenance_record") == 0
    assert_problem(await staff.get("/api/reports/machine-hours", params={"from": "2026-01-01", "to": "2025-01-01"}),
                   400, "invalid_period")
    assert_problem(await staff.get("/api/reports/machine-hours", params={"from": "2024-01-01", "to": "2026-01-01"}),
                   400, "invalid_period")


async def test_staff_of_another_site_change_nothing_here(app, staff, demo):
    await staff.put(f"/api/resources/{PRINTER}/maintenance-plan", json={"every_hours": 10, "task": NOZZLE})
    async with make_client(app) as client:
        other = await sign_in(client, "staff.pfs")
        for response in (
            await other.put(f"/api/resources/{PRINTER}/maintenance-plan", json={"every_hours": 1, "task": "x"}),
            await other.delete(f"/api/resources/{PRINTER}/maintenance-plan"),
            await other.put("/api/sites/vlg/maintenance-plans/room", json={"every_hours": 1, "task": "x"}),
            await other.delete("/api/sites/vlg/maintenance-plans/room"),
            await other.post(f"/api/resources/{PRINTER}/maintenance", json={"task": "x"}),
            await other.get(f"/api/resources/{PRINTER}/maintenance"),
            await other.get("/api/maintenance/due", params={"site": "vlg"}),
            await other.get("/api/maintenance/plans", params={"site": "vlg"}),
            await other.get("/api/reports/machine-hours", params={"site": "vlg"}),
        ):
            assert_problem(response, 403, "not_your_site")
        # Their own list covers their own site only.
        assert (await other.get("/api/maintenance/due")).json()["items"] == []
        assert (await other.get("/api/maintenance/plans")).json() == {"kinds": [], "items": []}
    assert await db.fetchval("SELECT every_hours FROM maintenance_plan") == 10
    assert await db.fetchval("SELECT count(*) FROM maintenance_record") == 0


async def test_learners_see_none_of_it(learner):
    for response in (await learner.get("/api/maintenance/due"), await learner.get(f"/api/resources/{PRINTER}/maintenance"),
                     await learner.post(f"/api/resources/{PRINTER}/maintenance", json={"task": NOZZLE})):
        assert response.status_code == 403


# --- machine hours per printer -------------------------------------------------------------------

async def test_machine_hours_per_printer_and_month_in_json_and_csv(staff, demo):
    actor = await desk()
    # A loan from 22:00 on the last day of a month to 02:00: two hours in each month (Paris time).
    last_day = datetime.fromisoformat("2026-10-31T22:00:00+01:00")
    await lend(actor, PRINTER, last_day, 4)
    await lend(actor, PRINTER, datetime.fromisoformat("2026-11-10T10:00:00+01:00"), 3)
    await lend(actor, "VLG-P3D-002", datetime.fromisoformat("2026-11-12T10:00:00+01:00"), 1.5)
    await lend(actor, "VLG-LAP-001", datetime.fromisoformat("2026-11-12T10:00:00+01:00"), 5)  # not a printer
    report = (await staff.get("/api/reports/machine-hours",
                              params={"site": "vlg", "from": "2026-10-01", "to": "2026-11-30"})).json()
    assert (report["from_month"], report["to_month"]) == ("2026-10", "2026-11")
    by_tag = {p["tag"]: p for p in report["printers"]}
    assert set(by_tag) == {"VLG-P3D-001", "VLG-P3D-002"}
    assert by_tag[PRINTER]["months"] == [{"month": "2026-10", "hours": 2.0, "loans": 1},
                                         {"month": "2026-11", "hours": 5.0, "loans": 1}]
    assert (by_tag[PRINTER]["total_hours"], by_tag[PRINTER]["total_loans"]) == (7.0, 2)
    assert by_tag["VLG-P3D-002"]["total_hours"] == 1.5
    csv = await staff.get("/api/reports/machine-hours",
                          params={"site": "vlg", "from": "2026-10-01", "to": "2026-11-30", "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0] == '"month","tag","name","hours","loans"'
    assert '"2026-11","VLG-P3D-001"' in lines[2] and lines[2].endswith('"5.0","1"')
