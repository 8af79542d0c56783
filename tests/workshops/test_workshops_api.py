"""Workshops (issue 29) through the API: partners, participants, workshops and their seats, sign-ups and
the waiting list, cancellations that seat the next person, bad input refused with a code."""

from __future__ import annotations

import pytest

from fablab.platform import db
from tests.support.clients import make_client, sign_in
from tests.support.workshops import at, new_participant, new_partner, new_workshop

pytestmark = pytest.mark.pg_engine


async def counts(workshop_id: int) -> dict:
    return await db.fetchone("SELECT seats_taken, held_free, capacity FROM workshop WHERE id = $1", workshop_id)


async def test_partner_and_participant_of_a_site(staff):
    partner = await new_partner(staff)
    assert partner["site"] == "vlg" and partner["kind"] == "mission_locale"
    again = await staff.post("/api/partners", json={"site": "vlg", "name": "mission locale", "kind": "other"})
    assert again.status_code == 409 and again.json()["code"] == "partner_exists"
    person = await new_participant(staff, first_name=" Amina ", initial="k", partner=partner["id"], status="neet")
    assert person["name"] == "Amina K." and person["partner"]["id"] == partner["id"]
    assert person["birth_year"] == 2007 and not person["has_account"]
    listed = await staff.get("/api/participants", params={"site": "vlg", "q": "amin"})
    assert [row["id"] for row in listed.json()] == [person["id"]]
    card = await staff.get(f"/api/participants/{person['id']}/pass")
    assert card.status_code == 200 and card.json()["svg"].startswith("<")


async def test_participant_refused_with_another_sites_partner(app, staff, demo):
    async with make_client(app) as pantin:
        await sign_in(pantin, "staff.pan")
        theirs = await new_partner(pantin, site="pan")
    before = await db.fetchval("SELECT count(*) FROM app_user")
    response = await staff.post("/api/participants", json={"first_name": "Léo", "site": "vlg",
                                                           "partner": theirs["id"]})
    assert response.status_code == 400 and response.json()["code"] == "partner_other_site"
    assert await db.fetchval("SELECT count(*) FROM app_user") == before
    other_site = await staff.post("/api/partners", json={"site": "pan", "name": "E2C", "kind": "e2c"})
    assert other_site.status_code == 403 and other_site.json()["code"] == "not_your_site"


@pytest.mark.parametrize("change, code", [
    ({"capacity": 0}, None), ({"capacity": 501}, None),
    ({"ends_at": at(13)}, "ends_before_start"),
    ({"min_age": 20, "max_age": 16}, "invalid_input"),
])
async def test_bad_workshops_change_nothing(staff, change, code):
    body = {"site": "vlg", "title": "Atelier", "starts_at": at(14), "ends_at": at(17), "capacity": 12, **change}
    response = await staff.post("/api/workshops", json=body)
    assert 400 <= response.status_code < 500, response.text
    assert code is None or response.json()["code"] == code
    assert await db.fetchval("SELECT count(*) FROM workshop") == 0


async def test_anyone_sees_public_fields_and_seats_left(staff, anon):
    workshop = await new_workshop(staff, capacity=5)
    assert workshop["seats_left"] == 5 and workshop["holds"] == []
    listed = await anon.get("/api/workshops", params={"site": "vlg", "from": workshop["starts_at"][:10]})
    assert listed.status_code == 200
    [seen] = listed.json()
    assert seen["seats_left"] == 5 and seen["holds"] is None and seen["seats_taken"] is None


async def test_learner_signs_up_then_waits_then_gets_the_freed_seat(staff, learner, other_learner):
    workshop = await new_workshop(staff, capacity=1)
    first = await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})
    assert first.status_code == 201 and first.json()["status"] == "registered", first.text
    second = await other_learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})
    assert second.json()["status"] == "waiting" and second.json()["position"] == 1
    twice = await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})
    assert twice.status_code == 409 and twice.json()["code"] == "already_registered"

    gone = await learner.delete(f"/api/workshops/{workshop['id']}/registrations/{first.json()['id']}")
    assert gone.status_code == 204
    status = await db.fetchval("SELECT status FROM registration WHERE id = $1", second.json()["id"])
    assert status == "registered"
    mine = (await other_learner.get("/api/me/workshops")).json()
    assert mine[0]["status"] == "registered" and mine[0]["seated_at"] is not None
    assert (await counts(workshop["id"]))["seats_taken"] == 1


async def test_capacity_never_below_the_seats_taken(staff):
    workshop = await new_workshop(staff, capacity=2)
    for name in ("Amina", "Léo"):
        person = await new_participant(staff, first_name=name)
        response = await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": person["id"]})
        assert response.json()["status"] == "registered"
    refused = await staff.patch(f"/api/workshops/{workshop['id']}", json={"capacity": 1})
    assert refused.status_code == 409 and refused.json()["code"] == "capacity_below_taken"
    assert (await counts(workshop["id"]))["capacity"] == 2


async def test_more_capacity_seats_the_waiting_list(staff):
    workshop = await new_workshop(staff, capacity=1)
    ids = []
    for name in ("Amina", "Léo", "Sami"):
        person = await new_participant(staff, first_name=name)
        response = await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": person["id"]})
        ids.append(response.json()["id"])
    changed = await staff.patch(f"/api/workshops/{workshop['id']}", json={"capacity": 2})
    assert changed.status_code == 200 and changed.json()["seats_left"] == 0
    statuses = [await db.fetchval("SELECT status FROM registration WHERE id = $1", rid) for rid in ids]
    assert statuses == ["registered", "registered", "waiting"]


async def test_age_range_and_referral_only(staff, learner):
    workshop = await new_workshop(staff, min_age=16, max_age=25)
    young = await new_participant(staff, first_name="Inès", birth_date="2015-03-01", birth_year=2015)
    refused = await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": young["id"]})
    assert refused.status_code == 422 and refused.json()["code"] == "too_young"
    old = await new_participant(staff, first_name="Marc", birth_year=1970)
    refused = await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": old["id"]})
    assert refused.json()["code"] == "workshop_too_old"
    referral = await new_workshop(staff, audience="referral")
    refused = await learner.post(f"/api/workshops/{referral['id']}/registrations", json={})
    assert refused.status_code == 403 and refused.json()["code"] == "referral_only"
    assert await db.fetchval("SELECT count(*) FROM registration") == 0


async def test_cancelling_a_workshop_cancels_its_sign_ups(staff, learner):
    workshop = await new_workshop(staff, capacity=3)
    await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})
    cancelled = await staff.post(f"/api/workshops/{workshop['id']}/cancel", json={"note": "Formateur malade"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    mine = (await learner.get("/api/me/workshops")).json()
    assert mine[0]["status"] == "cancelled" and mine[0]["workshop"]["cancel_note"] == "Formateur malade"
    again = await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})
    assert again.status_code == 409 and again.json()["code"] == "workshop_cancelled"


async def test_another_sites_staff_change_nothing(app, staff, demo):
    workshop = await new_workshop(staff, capacity=3)
    async with make_client(app) as pantin:
        await sign_in(pantin, "staff.pan")
        response = await pantin.patch(f"/api/workshops/{workshop['id']}", json={"capacity": 9})
        assert response.status_code == 403 and response.json()["code"] == "not_your_site"
        response = await pantin.post(f"/api/workshops/{workshop['id']}/cancel", json={})
        assert response.status_code == 403
    assert (await counts(workshop["id"]))["capacity"] == 3


async def test_a_workshop_joins_a_course_of_its_site_only(app, staff, demo):
    course = (await staff.post("/api/courses", json={"site": "vlg", "title": "Parcours", "target_hours": 20})).json()
    workshop = await new_workshop(staff)
    joined = await staff.patch(f"/api/workshops/{workshop['id']}", json={"course": course["id"], "title": "Bois"})
    assert joined.status_code == 200 and joined.json()["course"] == course["id"] and joined.json()["title"] == "Bois"
    async with make_client(app) as pantin:
        await sign_in(pantin, "staff.pan")
        theirs = (await pantin.post("/api/courses", json={"site": "pan", "title": "Autre"})).json()
    refused = await staff.patch(f"/api/workshops/{workshop['id']}", json={"course": theirs["id"]})
    assert refused.status_code == 400 and refused.json()["code"] == "course_other_site"
    listed = (await staff.get("/api/courses")).json()
    assert [(c["id"], c["workshops"]) for c in listed] == [(course["id"], 1)]


async def test_the_public_agenda_feed_names_nobody(staff, learner, anon):
    workshop = await new_workshop(staff, capacity=4, title="Découpe vinyle")
    await new_workshop(staff, title="Groupe Mission Locale", audience="referral")
    await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})
    feed = await anon.get("/cal/sites/vlg/workshops.ics")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    text = feed.text.replace("\r\n ", "")
    assert "SUMMARY:Atelier – Découpe vinyle" in text and "Places disponibles : 3 sur 4" in text
    name = await db.fetchval("SELECT name FROM app_user WHERE login = 'learner1'")
    assert "Mission Locale" not in text and name not in text and "learner1" not in text
    again = await anon.get("/cal/sites/vlg/workshops.ics", headers={"if-none-match": feed.headers["etag"]})
    assert again.status_code == 304
    assert (await anon.get("/cal/sites/nowhere/workshops.ics")).status_code == 404


async def test_the_desk_signs_up_a_learner_who_becomes_a_participant(staff, demo):
    workshop = await new_workshop(staff)
    learner_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner2'")
    response = await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": learner_id})
    assert response.status_code == 201 and response.json()["status"] == "registered"
    listed = (await staff.get("/api/participants", params={"site": "vlg"})).json()
    assert [row["has_account"] for row in listed if row["id"] == learner_id] == [True]
    elsewhere = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner11'")
    refused = await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": elsewhere})
    assert refused.status_code == 404 and refused.json()["code"] == "unknown_participant"
