"""Visitors of the neighbourhood (issue 30, Must show): a pass made at the desk in one call, for a day or
up to a week, admitted to a workshop open to visitors by it, refused elsewhere; forgotten after the
admin's delay with the clock moved, still counted by the impact report; exported and erased."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import asyncpg
import pytest

from fablab.domain import clock
from fablab.platform import db
from fablab.people import lifecycle
from fablab.reports import routes as report_routes
from tests.support.bookings import DAY, PARIS, assert_problem
from tests.support.clients import make_client, sign_in
from tests.support.workshops import new_workshop

pytestmark = pytest.mark.pg_engine


def today():
    return datetime.now(PARIS).date()


async def new_visitor(client, **fields) -> dict:
    response = await client.post("/api/visitors", json={"first_name": "Inès", "initial": "b", **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_visitor_is_one_call_at_the_desk_with_a_pass_for_today(staff):
    made = await new_visitor(staff, age_band="16_17", purpose=" Découvrir  le fablab ")
    assert (made["name"], made["site"], made["age_band"], made["purpose"]) == ("Inès B.", "vlg", "16_17",
                                                                              "Découvrir le fablab")
    assert made["valid_from"] == made["valid_until"] == today().isoformat()
    person = await db.fetchone("SELECT role, password_hash, active FROM app_user WHERE id = $1", made["id"])
    assert dict(person) == {"role": "visitor", "password_hash": None, "active": True}
    listed = (await staff.get("/api/visitors", params={"site": "vlg"})).json()
    assert [v["id"] for v in listed] == [made["id"]]
    shown = (await staff.get(f"/api/visitors/{made['id']}")).json()
    assert shown["visitor"] == made and shown["pass"]["svg"].startswith("<")
    assert shown["pass"]["code"].startswith(f"{made['id']}-")
    # The desk signs them up like any young person without an account.
    participant = (await staff.get(f"/api/participants/{made['id']}")).json()
    assert participant["has_account"] is False and participant["visitor"] is True
    # The desk's search tells a visitor from a young person of the programme with the same name.
    young = await staff.post("/api/participants", json={"first_name": "Inès", "initial": "B", "site": "vlg"})
    assert young.status_code == 201, young.text
    found = (await staff.get("/api/participants", params={"site": "vlg", "q": "Inès B"})).json()
    rows = found["participants"] if isinstance(found, dict) else found
    assert {(row["id"], row["visitor"]) for row in rows} >= {(made["id"], True), (young.json()["id"], False)}


@pytest.mark.parametrize("fields, status, code", [
    ({"first_name": "  "}, 400, "name_required"),
    ({"valid_from": "yesterday"}, 400, "visitor_pass_in_past"),
    ({"valid_until": "+7"}, 400, "visitor_pass_too_long"),
    ({"valid_from": "+2", "valid_until": "+1"}, 400, "ends_before_start"),
    ({"age_band": "adult"}, 400, "invalid_input"),
    ({"purpose": "x" * 201}, 400, "invalid_input"),
    ({"site": "nowhere"}, 404, "unknown_site"),
])
async def test_bad_visitors_change_nothing(staff, fields, status, code):
    days = {"yesterday": -1, "+1": 1, "+2": 2, "+7": 7}
    body = {"first_name": "Léo", **{key: (today() + timedelta(days=days[value])).isoformat()
                                    if value in days else value for key, value in fields.items()}}
    before = await db.fetchval("SELECT count(*) FROM app_user")
    assert_problem(await staff.post("/api/visitors", json=body), status, code)
    assert await db.fetchval("SELECT count(*) FROM app_user") == before
    assert await db.fetchval("SELECT count(*) FROM visitor_pass") == 0


async def test_a_week_pass_covers_seven_days_and_no_more(staff):
    last = today() + timedelta(days=6)
    made = await new_visitor(staff, valid_until=last.isoformat())
    assert made["valid_until"] == last.isoformat()
    for day, listed in ((last, [made["id"]]), (last + timedelta(days=1), [])):
        response = await staff.get("/api/visitors", params={"site": "vlg", "day": day.isoformat()})
        assert [v["id"] for v in response.json()] == listed


async def test_a_pass_admits_to_an_open_workshop_of_its_days_only(staff):
    open_one = await new_workshop(staff, open_to_visitors=True)
    closed = await new_workshop(staff, title="Atelier des jeunes orientés")
    on_the_day = await new_visitor(staff, valid_from=DAY.isoformat())
    yesterdays = await new_visitor(staff, first_name="Sami")  # today only: ended before DAY
    later = await new_visitor(staff, first_name="Zoé", valid_from=(DAY + timedelta(days=1)).isoformat())

    def sign_up(workshop, visitor):
        return staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": visitor["id"]})

    assert (await sign_up(open_one, on_the_day)).status_code == 201
    assert_problem(await sign_up(closed, on_the_day), 422, "workshop_not_open_to_visitors")
    assert_problem(await sign_up(open_one, yesterdays), 422, "visitor_pass_expired")
    assert_problem(await sign_up(open_one, later), 422, "visitor_pass_not_yet_valid")
    # At the door, the pass scanned (or its code typed) marks them present.
    card = (await staff.get(f"/api/visitors/{on_the_day['id']}")).json()["pass"]
    came = await staff.post(f"/api/workshops/{open_one['id']}/attendance", json={"pass": card["code"]})
    assert came.status_code == 200 and came.json()["participant"] == on_the_day["id"], came.text
    # A workshop closed to visitors since: the door says no too.
    assert (await staff.patch(f"/api/workshops/{open_one['id']}", json={"open_to_visitors": False})).status_code == 200
    refused = await staff.post(f"/api/workshops/{open_one['id']}/attendance", json={"pass": card["token"]})
    assert_problem(refused, 422, "workshop_not_open_to_visitors")


async def test_staff_of_another_site_get_403(app, staff):
    made = await new_visitor(staff)
    async with make_client(app) as pantin:
        await sign_in(pantin, "staff.pan")
        assert_problem(await pantin.get(f"/api/visitors/{made['id']}"), 403, "not_your_site")
        assert_problem(await pantin.get("/api/visitors", params={"site": "vlg"}), 403, "not_your_site")
        assert_problem(await pantin.post("/api/visitors", json={"first_name": "Léo", "site": "vlg"}), 403,
                       "not_your_site")
        assert (await pantin.get("/api/visitors")).json() == []


async def impact_visitors(admin, monkeypatch) -> dict:
    """The report's visitors line, read after the workshop's day (the report's own clock only)."""
    after = datetime.combine(DAY + timedelta(days=1), datetime.min.time(), PARIS)
    monkeypatch.setattr(report_routes, "clock", SimpleNamespace(now=lambda: after))
    period = {"site": "vlg", "from": today().isoformat(), "to": DAY.isoformat()}
    response = await admin.get("/api/reports/impact", params=period)
    assert response.status_code == 200, response.text
    return response.json()["visitors"]


async def test_visitors_are_forgotten_after_the_admins_delay_and_still_counted(staff, admin, monkeypatch):
    assert (await admin.get("/api/admin/visitor-retention")).json() == {"days": 30, "is_default": True}
    made = await new_visitor(staff, purpose="Imprimer une coque", valid_from=DAY.isoformat())
    card = (await staff.get(f"/api/visitors/{made['id']}")).json()["pass"]
    workshop = await new_workshop(staff, open_to_visitors=True)
    assert (await staff.post(f"/api/workshops/{workshop['id']}/registrations",
                             json={"participant": made["id"]})).status_code == 201
    assert (await staff.post(f"/api/workshops/{workshop['id']}/attendance", json={"pass": card["token"]})).status_code == 200
    counted = await impact_visitors(admin, monkeypatch)
    assert counted == {"count": 1, "attended_workshops": 1}
    now, ahead = clock.now(), (DAY - today()).days
    assert (await lifecycle.anonymise_expired(now=now + timedelta(days=ahead + 30)))["tables"]["visitor_pass"] == 0
    assert (await lifecycle.anonymise_expired(now=now + timedelta(days=ahead + 31)))["tables"]["visitor_pass"] == 1
    await assert_forgotten(staff, made["id"], card)
    assert await impact_visitors(admin, monkeypatch) == counted
    # A shorter delay set by the admin: the job forgets a pass that ended 6 days ago.
    assert (await admin.put("/api/admin/visitor-retention", json={"days": 5})).json() == {"days": 5, "is_default": False}
    assert_problem(await admin.put("/api/admin/visitor-retention", json={"days": 0}), 400, "invalid_input")
    other = await new_visitor(staff, first_name="Sami")
    # The job's own clock (the periodic job calls it without arguments).
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(days=6))
    await lifecycle.anonymise_expired()
    assert await db.fetchval("SELECT anonymised_at IS NOT NULL FROM visitor_pass WHERE user_id = $1", other["id"])


async def assert_forgotten(staff, visitor_id: int, card: dict) -> None:
    person = await db.fetchone("SELECT name, active, pass_token_hash, role, anonymised_at FROM app_user "
                               "WHERE id = $1", visitor_id)
    assert (person["name"], person["active"], person["pass_token_hash"], person["role"]) == (
        "Visiteur", False, None, "visitor") and person["anonymised_at"] is not None
    kept = await db.fetchone("SELECT purpose, created_by_id, age_band FROM visitor_pass WHERE user_id = $1", visitor_id)
    assert (kept["purpose"], kept["created_by_id"]) == ("", None)
    assert_problem(await staff.get(f"/api/visitors/{visitor_id}"), 404, "unknown_visitor")
    assert (await staff.get("/api/visitors")).json() == []
    workshop = await new_workshop(staff, open_to_visitors=True)
    gone = await staff.post(f"/api/workshops/{workshop['id']}/attendance", json={"pass": card["code"]})
    assert_problem(gone, 404, "unknown_pass")


async def test_the_visitors_pass_is_in_their_export_and_goes_with_their_erasure(staff, admin):
    made = await new_visitor(staff, purpose="Atelier couture", age_band="over_25")
    [section] = (await admin.get(f"/api/users/{made['id']}/data")).json()["visitor_passes"]
    assert (section["site"], section["purpose"], section["age_band"], section["involvement"]) == (
        "vlg", "Atelier couture", "over_25", "visitor")
    staff_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'staff.vlg'")
    [made_by] = (await admin.get(f"/api/users/{staff_id}/data")).json()["visitor_passes"]
    assert made_by["involvement"] == "staff"
    erased = await admin.post(f"/api/users/{made['id']}/erase")
    assert erased.status_code == 200, erased.text
    assert await db.fetchval("SELECT count(*) FROM visitor_pass") == 0
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE id = $1", made["id"]) == 0


async def test_the_database_refuses_a_pass_longer_than_a_week(staff):
    made = await new_visitor(staff)
    with pytest.raises(asyncpg.CheckViolationError, match="visitor_pass_at_most_a_week"):
        await db.fetch("UPDATE visitor_pass SET valid_until = valid_from + 7 WHERE user_id = $1", made["id"])
