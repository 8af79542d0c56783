"""A workshop's room booked through the booking engine (and refused to a learner then), attendance by
pass scan summed into a 35-hour course until it is completed, holds that end, a closure's effect."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fablab.platform import db
from fablab.hooks.closure_effects import Closing
from fablab.workshops import closures
from tests.support.bookings import DAY
from tests.support.workshops import at, new_participant, new_partner, new_workshop

pytestmark = pytest.mark.pg_engine


async def test_a_workshop_books_its_room_and_a_learner_is_refused_it(staff, learner):
    workshop = await new_workshop(staff, room="VLG-ROOM-001", starts_at=at(9), ends_at=at(12))
    assert workshop["room"] and workshop["room_booking"]
    booking = await db.fetchone("SELECT status, user_id, starts_at FROM booking WHERE id = $1", workshop["room_booking"])
    assert booking["status"] == "confirmed"
    refused = await learner.post("/api/bookings", json={"resource": "VLG-ROOM-001", "starts_at": at(10),
                                                        "ends_at": at(11)})
    assert refused.status_code == 409 and refused.json()["code"] == "booking_conflict"
    calendar = await learner.get("/cal/resources/VLG-ROOM-001.ics")
    assert calendar.status_code == 200 and f"UID:booking-{workshop['room_booking']}.public@" in calendar.text

    clash = await staff.post("/api/workshops", json={"site": "vlg", "title": "Autre", "starts_at": at(11),
                                                     "ends_at": at(13), "capacity": 5, "room": "VLG-ROOM-001"})
    assert clash.status_code == 409 and clash.json()["code"] == "booking_conflict"
    assert await db.fetchval("SELECT count(*) FROM workshop") == 1

    await staff.post(f"/api/workshops/{workshop['id']}/cancel", json={})
    freed = await learner.post("/api/bookings", json={"resource": "VLG-ROOM-001", "starts_at": at(10),
                                                      "ends_at": at(11)})
    assert freed.status_code == 201, freed.text


async def test_a_room_of_another_site_or_not_a_room_is_refused(staff):
    for room, code in (("PAN-ROOM-001", "room_other_site"), ("VLG-LAP-001", "not_a_room")):
        response = await staff.post("/api/workshops", json={"site": "vlg", "title": "Atelier", "starts_at": at(9),
                                                            "ends_at": at(12), "capacity": 5, "room": room})
        assert response.status_code == 400 and response.json()["code"] == code
    assert await db.fetchval("SELECT count(*) FROM booking") == 0


async def test_attendance_by_pass_adds_up_to_a_completed_course(staff):
    course = (await staff.post("/api/courses", json={"site": "vlg", "title": "Fabriquer un meuble"})).json()
    assert float(course["target_hours"]) == 35
    person = await new_participant(staff)
    late = await new_participant(staff, first_name="Léo")
    card = (await staff.get(f"/api/participants/{person['id']}/pass")).json()
    days = [DAY + timedelta(days=7 * week) for week in range(5)]
    for day in days:
        workshop = await new_workshop(staff, course=course["id"], starts_at=at(9, day=day), ends_at=at(16, day=day))
        for who in (person, late):
            response = await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": who["id"]})
            assert response.json()["status"] == "registered"
        scanned = await staff.post(f"/api/workshops/{workshop['id']}/attendance", json={"pass": card["url"]})
        assert scanned.status_code == 200, scanned.text
        assert float(scanned.json()["hours"]) == 7
        # Late by an hour and gone an hour early: 5 hours.
        ticked = await staff.post(f"/api/workshops/{workshop['id']}/attendance", json={
            "participant": late["id"], "arrived_at": at(10, day=day), "left_at": at(15, day=day)})
        assert float(ticked.json()["hours"]) == 5

    progress = (await staff.get(f"/api/courses/{course['id']}")).json()
    hours = {row["participant"]: (float(row["hours"]), row["completed"]) for row in progress["participants"]}
    assert hours == {person["id"]: (35.0, True), late["id"]: (25.0, False)}
    assert progress["started"] == 2 and progress["completed"] == 1 and len(progress["workshops"]) == 5


async def test_a_sign_up_never_marked_present_counts_no_hours(staff):
    # LEAST/GREATEST skip NULLs: without attendance, the whole workshop used to count (7 h here).
    course = (await staff.post("/api/courses", json={"site": "vlg", "title": "Réparer un vélo"})).json()
    present, absent = await new_participant(staff), await new_participant(staff, first_name="Noé")
    workshop = await new_workshop(staff, course=course["id"], starts_at=at(9), ends_at=at(16))
    for who in (present, absent):
        await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": who["id"]})
    await staff.post(f"/api/workshops/{workshop['id']}/attendance", json={"participant": present["id"]})

    progress = (await staff.get(f"/api/courses/{course['id']}")).json()
    hours = {row["participant"]: float(row["hours"]) for row in progress["participants"]}
    assert hours == {present["id"]: 7.0, absent["id"]: 0.0}


async def test_attendance_for_someone_without_a_seat_is_refused(staff):
    workshop = await new_workshop(staff, capacity=1)
    seated, waiting, stranger = [await new_participant(staff, first_name=name) for name in ("Amina", "Léo", "Sami")]
    for who in (seated, waiting):
        await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": who["id"]})
    for who in (waiting, stranger):
        response = await staff.post(f"/api/workshops/{workshop['id']}/attendance", json={"participant": who["id"]})
        assert response.status_code == 400 and response.json()["code"] == "not_registered"
    both = await staff.post(f"/api/workshops/{workshop['id']}/attendance", json={"participant": seated["id"],
                                                                                 "pass": "x"})
    assert both.json()["code"] == "pass_or_participant"
    backwards = await staff.post(f"/api/workshops/{workshop['id']}/attendance", json={
        "participant": seated["id"], "arrived_at": at(16), "left_at": at(15)})
    assert backwards.json()["code"] == "invalid_attendance"
    assert await db.fetchval("SELECT count(*) FROM attendance") == 0


async def test_held_seats_go_to_everyone_when_the_hold_ends(staff):
    partner = await new_partner(staff)
    workshop = await new_workshop(staff, capacity=2, holds=[{"partner": partner["id"], "seats": 1,
                                                             "held_until": at(8)}])
    first, second = [await new_participant(staff, first_name=name) for name in ("Amina", "Léo")]
    seats = [(await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": who["id"]}))
             .json() for who in (first, second)]
    assert [s["status"] for s in seats] == ["registered", "waiting"]
    await db.fetch("UPDATE workshop_hold SET held_until = now() - interval '1 minute'")
    assert await closures.release_due_holds() == 1
    assert await db.fetchval("SELECT status FROM registration WHERE id = $1", seats[1]["id"]) == "registered"
    row = await db.fetchone("SELECT seats_taken, held_free FROM workshop WHERE id = $1", workshop["id"])
    assert row == {"seats_taken": 2, "held_free": 0}


async def test_a_closure_cancels_the_days_workshops(staff, learner, demo):
    workshop = await new_workshop(staff, room="VLG-ROOM-002")
    other_day = await new_workshop(staff, starts_at=at(9, day=DAY + timedelta(days=7)),
                                   ends_at=at(12, day=DAY + timedelta(days=7)))
    await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})
    closing = Closing(site_id=demo["sites"]["vlg"]["id"], starts_on=DAY, ends_on=DAY, reason="Dégât des eaux",
                      now=await db.fetchval("SELECT now()"))
    hit = await closures.hit_by_closure(closing, 100)
    assert [row["id"] for row in hit] == [workshop["id"]]
    async with db.DB.transaction():
        assert await closures.cancel_hit_by_closure(closing, hit) == [workshop["id"]]
    mine = (await learner.get("/api/me/workshops")).json()
    assert mine[0]["status"] == "cancelled" and mine[0]["workshop"]["cancel_note"] == "Dégât des eaux"
    assert await db.fetchval("SELECT cancel_reason FROM booking WHERE id = $1", workshop["room_booking"]) == "closure"
    assert await db.fetchval("SELECT status FROM workshop WHERE id = $1", other_day["id"]) == "scheduled"


async def test_closing_the_site_through_its_route_cancels_the_workshop(staff, admin, learner):
    workshop = await new_workshop(staff)
    await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})
    impact = await admin.get("/api/sites/vlg/closures/impact", params={"from": DAY.isoformat(), "to": DAY.isoformat()})
    assert impact.json()["plans"]["workshops"] == 1
    created = await admin.post("/api/sites/vlg/closures", json={
        "starts_on": DAY.isoformat(), "ends_on": DAY.isoformat(), "reason": "Grève", "cancel_bookings": True})
    assert created.status_code == 201 and created.json()["cancelled"]["workshops"] == [workshop["id"]]
    [mine] = (await learner.get("/api/me/workshops")).json()
    assert mine["status"] == "cancelled" and mine["notice"] == "workshop_cancelled"


async def test_the_audit_holds_after_sign_ups_cancellations_and_a_hold_that_ends(staff):
    from fablab.invariants import audit_invariants

    partner = await new_partner(staff)
    workshop = await new_workshop(staff, capacity=3, holds=[{"partner": partner["id"], "seats": 2,
                                                             "held_until": at(8)}])
    referred = await new_participant(staff, partner=partner["id"])
    others = [await new_participant(staff, first_name=name) for name in ("Léo", "Sami", "Inès")]
    signed = [(await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": who["id"]}))
              .json() for who in [referred, *others]]
    assert [s["status"] for s in signed] == ["registered", "registered", "waiting", "waiting"]
    await staff.delete(f"/api/workshops/{workshop['id']}/registrations/{signed[0]['id']}")
    await db.fetch("UPDATE workshop_hold SET held_until = now() - interval '1 minute'")
    await closures.release_due_holds()
    assert all(result.holds for result in await audit_invariants())
    statuses = [await db.fetchval("SELECT status FROM registration WHERE id = $1", s["id"]) for s in signed]
    assert statuses == ["cancelled", "registered", "registered", "registered"]
    await db.fetch("UPDATE workshop SET seats_taken = seats_taken - 1 WHERE id = $1", workshop["id"])
    broken = [r.name for r in await audit_invariants() if not r.holds]
    assert broken == ["a workshop's counted seats equal its seated sign-ups and running holds"]
