"""Sites, opening hours, closures and policies: the admin's side of the booking rules."""

from fablab.platform import db
from tests.support.bookings import DAY, assert_problem, book, ordinary_day_after


async def test_sites_are_public(anon):
    response = await anon.get("/api/sites")
    assert response.status_code == 200
    sites = response.json()
    assert [s["slug"] for s in sites] == ["pan", "pfs", "vlg"]
    assert sites[0]["timezone"] == "Europe/Paris" and sites[0]["opening_hours"]["mon"] == [["09:00", "18:00"]]
    assert "sat" not in sites[0]["opening_hours"]
    assert_problem(await anon.get("/api/sites/nowhere"), 404, "unknown_site")


async def test_admin_changes_opening_hours_and_they_apply(admin, learner):
    hours = {day: [["09:00", "12:00"], ["13:00", "20:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    response = await admin.patch("/api/sites/vlg", json={"opening_hours": hours})
    assert response.status_code == 200, response.text
    assert response.json()["opening_hours"]["mon"] == [["09:00", "12:00"], ["13:00", "20:00"]]
    assert (await book(learner, start=(18, 30), end=(19, 30))).status_code == 201
    assert_problem(await book(learner, "VLG-ROOM-002", start=(12, 0), end=(12, 30)), 422, "outside_opening_hours")


async def test_opening_hours_are_validated(admin, staff):
    for bad in ({"mon": [["9h", "18h"]]}, {"mon": [["18:00", "09:00"]]}, {"lundi": []},
                {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}):
        assert_problem(await admin.patch("/api/sites/vlg", json={"opening_hours": bad}), 400, "invalid_opening_hours")
    assert_problem(await admin.patch("/api/sites/vlg", json={"timezone": "Mars/Olympus"}), 400, "invalid_timezone")
    assert_problem(await admin.patch("/api/sites/vlg", json={"owner": "me"}), 400, "invalid_input")
    assert_problem(await staff.patch("/api/sites/vlg", json={"name": "Pris"}), 403, "forbidden")
    assert_problem(await admin.patch("/api/sites/nowhere", json={"name": "x"}), 404, "unknown_site")
    assert (await db.fetchval("SELECT opening_hours->>'mon' FROM site WHERE slug = 'vlg'")) == '[["09:00", "18:00"]]'


async def test_closures_add_list_delete(admin, anon, learner):
    created = await admin.post("/api/sites/vlg/closures", json={
        "starts_on": DAY.isoformat(), "ends_on": DAY.isoformat(), "reason": "Formation de l'équipe"})
    assert created.status_code == 201, created.text
    closure = created.json()
    assert closure["site"] == "vlg" and closure["affected_bookings"] == 0
    listed = (await anon.get("/api/sites/vlg/closures", params={"from": DAY.isoformat(), "to": DAY.isoformat()})).json()
    assert [(c["starts_on"], c["source"]) for c in listed] == [(DAY.isoformat(), "closure")]
    assert_problem(await book(learner), 422, "closed_day")
    assert (await admin.delete(f"/api/closures/{closure['id']}")).status_code == 204
    assert (await book(learner)).status_code == 201
    assert_problem(await admin.delete(f"/api/closures/{closure['id']}"), 404, "unknown_closure")


async def test_closure_for_every_site_and_public_holidays_listed(admin, anon):
    created = await admin.post("/api/sites/pan/closures", json={
        "starts_on": "2026-12-24", "ends_on": "2027-01-02", "reason": "Fêtes", "all_sites": True})
    assert created.status_code == 201 and created.json()["site"] is None
    listed = (await anon.get("/api/sites/vlg/closures", params={"from": "2026-12-01", "to": "2027-01-31"})).json()
    assert ("2026-12-24", "closure") in [(c["starts_on"], c["source"]) for c in listed]
    assert ("2026-12-25", "public_holiday") in [(c["starts_on"], c["source"]) for c in listed]


async def test_public_holidays_are_named_in_french(anon):
    # The holidays package answers in English unless asked ("Christmas Day", "Labor Day").
    listed = (await anon.get("/api/sites/vlg/closures", params={"from": "2026-05-01", "to": "2026-12-31"})).json()
    names = {c["starts_on"]: c["reason"] for c in listed if c["source"] == "public_holiday"}
    assert names["2026-12-25"] == "Noël"
    assert names["2026-05-01"] == "Fête du Travail"
    assert names["2026-11-11"] == "Armistice"


async def test_closures_are_validated(admin, staff):
    assert_problem(await admin.post("/api/sites/vlg/closures", json={"starts_on": "2026-06-10", "ends_on": "2026-06-09"}),
                   400, "invalid_dates")
    assert_problem(await admin.post("/api/sites/vlg/closures", json={"starts_on": "demain", "ends_on": "2026-06-09"}),
                   400, "invalid_input")
    assert_problem(await staff.post("/api/sites/vlg/closures", json={"starts_on": "2026-06-09", "ends_on": "2026-06-09"}),
                   403, "forbidden")
    assert_problem(await admin.post("/api/sites/zz/closures", json={"starts_on": "2026-06-09", "ends_on": "2026-06-09"}),
                   404, "unknown_site")
    assert await db.fetchval("SELECT count(*) FROM closure") == 0


async def test_policies_list_and_replace(admin, learner):
    listed = (await learner.get("/api/policies", params={"site": "vlg"})).json()
    assert {(p["kind"], p["unit"]) for p in listed} == {("laptop", "days"), ("printer_3d", "minutes"), ("room", "minutes")}
    printer = next(p for p in listed if p["kind"] == "printer_3d")
    assert printer["training"] == "Impression 3D – bases" and printer["may_end_after_closing"] is True

    response = await admin.put("/api/policies/vlg/room", json={
        "unit": "minutes", "slot_minutes": 60, "min_length": 60, "max_length": 120, "max_days_ahead": 7})
    assert response.status_code == 200, response.text
    assert response.json()["slot_minutes"] == 60
    assert_problem(await book(learner, start=(10, 30), end=(11, 30)), 422, "misaligned")
    assert_problem(await book(learner, start=(10, 0), end=(13, 0)), 422, "too_long")


async def test_policies_are_validated(admin, staff):
    good = {"unit": "minutes", "slot_minutes": 30, "min_length": 30, "max_length": 240}
    assert_problem(await admin.put("/api/policies/vlg/drone", json=good), 400, "unknown_kind")
    assert_problem(await admin.put("/api/policies/zz/room", json=good), 404, "unknown_site")
    assert_problem(await admin.put("/api/policies/vlg/room", json={**good, "min_length": 300}), 400, "invalid_policy")
    assert_problem(await admin.put("/api/policies/vlg/room", json={**good, "min_length": 45}), 400, "invalid_policy")
    assert_problem(await admin.put("/api/policies/vlg/room", json={**good, "unit": "weeks"}), 400, "invalid_input")
    assert_problem(await admin.put("/api/policies/vlg/room", json={**good, "slot_minutes": -5}), 400, "invalid_input")
    assert_problem(await admin.put("/api/policies/vlg/room", json={**good, "training_id": 999}), 400, "unknown_training")
    assert_problem(await staff.put("/api/policies/vlg/room", json=good), 403, "forbidden")
    assert_problem(await admin.get("/api/policies", params={"site": "zz"}), 404, "unknown_site")
    assert await db.fetchval("SELECT max_length FROM policy p JOIN site s ON s.id = p.site_id "
                             "WHERE s.slug = 'vlg' AND kind = 'room'") == 240


async def test_per_resource_override(admin, learner):
    long_room = {"unit": "minutes", "slot_minutes": 30, "min_length": 30, "max_length": 480}
    response = await admin.put("/api/resources/vlg-room-003/policy", json=long_room)
    assert response.status_code == 200 and response.json()["max_length"] == 480
    assert (await book(learner, "VLG-ROOM-003", start=(9, 0), end=(15, 0))).status_code == 201
    assert_problem(await book(learner, "VLG-ROOM-002", start=(9, 0), end=(15, 0)), 422, "too_long")
    assert (await admin.delete("/api/resources/VLG-ROOM-003/policy")).status_code == 204
    assert_problem(await book(learner, "VLG-ROOM-003", start=(9, 0), end=(15, 0), day=ordinary_day_after(DAY)),
                   422, "too_long")
    assert_problem(await admin.put("/api/resources/VLG-ROOM-999/policy", json=long_room), 404, "unknown_tag")

