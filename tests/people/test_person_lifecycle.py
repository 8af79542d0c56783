"""A person's lifecycle across every domain (issue 25, item 1): the export holds what each domain
stores about them, the erasure leaves no trace of them and every figure unchanged, and an access
reset ends every old way in (the private feed link and the desk pass included)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

import pytest

from fablab.platform import db
from fablab.people import lifecycle
from tests.support.clients import make_client

# The schema is read from PostgreSQL's catalogues: run on the second engine too (.ci/run).
pytestmark = pytest.mark.pg_engine

PASSWORD = "velo-rouge-et-bleu-sous-la-pluie-2026"
LEARNER = {"login": "zoe.effacee", "name": "Zoé Effacée", "email": "zoe.effacee@example.org"}
STAFF = {"login": "sam.effacable", "name": "Samuel Effaçable", "email": "sam.effacable@example.org"}
LAPTOP, PRINTER = "VLG-LAP-001", "VLG-P3D-001"


def now() -> datetime:
    return datetime.now(timezone.utc)


@pytest.fixture
async def phones(app):
    """New clients (phones), closed at the end of the test."""
    opened = []

    async def phone():
        client = await make_client(app).__aenter__()
        opened.append(client)
        await client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        return client
    yield phone
    for client in opened:
        await client.aclose()


async def joined(phones, admin, person: dict, role: str = "learner"):
    """An account made by the admin and activated from its invite on its own phone (client)."""
    created = await admin.post("/api/users", json={"name": person["name"], "login": person["login"], "role": role,
                                                   "site": "vlg"})
    assert created.status_code == 201, created.text
    await db.fetch("UPDATE app_user SET email = $1 WHERE login = $2", person["email"], person["login"])
    client = await phones()
    token = created.json()["invite"]["token"]
    accepted = await client.post(f"/api/invites/{token}/accept", json={"password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    return client, created.json()["user"]["id"]


async def resource(tag: str) -> dict:
    return await db.fetchone("SELECT id, site_id, kind FROM resource WHERE tag = $1", tag)


async def booking_for(user_id: int, tag: str, starts: datetime, *, status: str = "confirmed",
                      series_id: int | None = None, purpose: str = "") -> int:
    item = await resource(tag)
    ends = starts + timedelta(hours=2)
    return await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, "
        "status, purpose, series_id, occurrence_date, checked_out_at) "
        "VALUES ($1, $2, $3, $4, $4, $5, $6, $6, $7, $8, $9, $10, $11) RETURNING id",
        item["id"], item["site_id"], item["kind"], user_id, starts, ends, status, purpose, series_id,
        starts.date() if series_id else None, starts if status == "checked_out" else None)


async def learner_everywhere(learner, user_id: int) -> dict:
    """Bookings, a series occurrence, a waitlist entry, a phone, a private feed link and a pass."""
    item = await resource("VLG-ROOM-001")
    week = now() + timedelta(days=7)
    series = await db.fetchval(
        "INSERT INTO booking_series (site_id, kind, resource_id, user_id, created_by_id, purpose, rule) "
        "VALUES ($1, 'room', $2, $3, $3, 'Atelier de Zoé Effacée', '{\"weeks\": 4}') RETURNING id",
        item["site_id"], item["id"], user_id)
    await booking_for(user_id, "VLG-ROOM-001", week, series_id=series, purpose="Atelier de Zoé Effacée")
    await booking_for(user_id, "VLG-LAP-002", week + timedelta(days=1), purpose="Projet de Zoé Effacée")
    await db.fetch(
        "INSERT INTO waitlist_entry (user_id, site_id, kind, day, starts_at, ends_at) "
        "VALUES ($1, $2, 'laptop', $3, $4, $5)", user_id, item["site_id"], week.date(), week, week + timedelta(hours=2))
    session = await db.fetchval("SELECT max(id) FROM user_session WHERE user_id = $1", user_id)
    await db.fetch("INSERT INTO push_subscription (user_id, session_id, endpoint, p256dh, auth) "
                   "VALUES ($1, $2, 'https://push.example.net/zoe-effacee-phone', 'key', 'secret')", user_id, session)
    feed = (await learner.post("/api/me/feed-token")).json()["https"]
    pass_token = (await learner.get("/api/me/pass")).json()["token"]
    return {"feed": urlparse(feed).path, "pass": pass_token, "series": series}


async def desk_with(staff, learner_login: str, learner_id: int) -> dict:
    """Staff lend the laptop with its charger (back without it), restock a spool, take back a 3D
    print of the learner's with 37 g used, and record a maintenance."""
    charger = (await staff.post(f"/api/resources/{LAPTOP}/parts", json={"name": "Chargeur"})).json()
    lent = await staff.post("/api/checkouts", json={"tag": LAPTOP, "user": learner_login, "parts": [charger["id"]],
                                                    "due_at": (now() + timedelta(hours=2)).isoformat(),
                                                    "note": "Zoé Effacée promet d'en prendre soin"})
    assert lent.status_code == 201, lent.text
    back = await staff.post("/api/checkins", json={"tag": LAPTOP, "missing_parts": [charger["id"]],
                                                   "note": "Zoé Effacée a oublié le chargeur"})
    assert back.status_code == 200, back.text
    spool = (await staff.post("/api/consumables", json={"site": "vlg", "name": "PLA noir", "unit": "g",
                                                        "quantity": 0, "low_threshold": 0})).json()
    restock = await staff.post(f"/api/consumables/{spool['id']}/movements",
                               json={"kind": "restock", "quantity": 1000, "note": "livraison signée Samuel"})
    assert restock.status_code == 201, restock.text
    await booking_for(learner_id, PRINTER, now() - timedelta(hours=3), status="checked_out")
    printed = await staff.post("/api/checkins", json={
        "tag": PRINTER, "consumables": [{"id": spool["id"], "quantity": 37}], "outcome": "failed"})
    assert printed.status_code == 200, printed.text
    done = await staff.post(f"/api/resources/{PRINTER}/maintenance",
                            json={"task": "Nettoyage de la buse", "note": "fait par Samuel Effaçable"})
    assert done.status_code == 201, done.text
    return {"charger": charger["id"], "spool": spool["id"]}


async def figures(admin, spool: int) -> dict:
    """Stock, the month's consumption report and machine hours, as the screens read them."""
    report = (await admin.get("/api/reports/consumption", params={"site": "vlg"})).json()
    hours = (await admin.get("/api/reports/machine-hours", params={"site": "vlg"})).json()
    report.pop("generated_at"), hours.pop("generated_at", None)
    learners = report.pop("learners")
    return {"stock": await db.fetchval("SELECT quantity FROM consumable WHERE id = $1", spool), "report": report,
            "learners_used": sum(row["used"] for row in learners), "hours": hours}


async def traces(ids: list[int], words: list[str]) -> list[str]:
    """Every place the people still are: a reference to them, or their login, name or e-mail
    anywhere in any row of any table (the row's whole text)."""
    found = []
    references = await db.fetch(
        "SELECT c.conrelid::regclass::text AS t, a.attname AS c FROM pg_constraint c JOIN pg_attribute a "
        "ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
        "WHERE c.contype = 'f' AND c.confrelid = 'app_user'::regclass")
    for row in references + [{"t": "app_user", "c": "id"}]:
        count = await db.fetchval(f'SELECT count(*) FROM "{row["t"]}" WHERE "{row["c"]}" = ANY($1::int[])', ids)
        found += [f"{row['t']}.{row['c']}"] * bool(count)
    for table in await db.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
        name = table["tablename"]
        for word in words:
            count = await db.fetchval(f'SELECT count(*) FROM "{name}" t WHERE strpos(lower(t::text), $1) > 0',
                                      word.lower())
            found += [f"{name}: {word}"] * bool(count)
    return found


async def test_a_learner_in_every_domain_is_exported_whole_then_erased_leaving_the_figures(phones, admin):
    learner, learner_id = await joined(phones, admin, LEARNER)
    staff, staff_id = await joined(phones, admin, STAFF, role="staff")
    links = await learner_everywhere(learner, learner_id)
    desk = await desk_with(staff, LEARNER["login"], learner_id)
    mine = (await learner.get("/api/me/data")).json()

    assert mine["account"]["login"] == LEARNER["login"] and mine["account"]["pass_shown"]
    assert len(mine["bookings"]) == 4 and [b["series_id"] for b in mine["bookings"]].count(links["series"]) == 1
    assert [s["purpose"] for s in mine["series"]] == ["Atelier de Zoé Effacée"]
    assert [w["kind"] for w in mine["waitlist"]] == ["laptop"]
    [part] = mine["part_custody"]
    assert (part["part"], part["involvement"], part["back_at"]) == ("Chargeur", "holder", None)
    assert part["missing_at"] is not None
    assert [(m["kind"], m["delta"], m["involvement"]) for m in mine["consumable_movements"]] == [("use", -37, "user")]
    assert [(p["resource"], p["outcome"]) for p in mine["print_logs"]] == [(PRINTER, "failed")]
    assert [p["endpoint"] for p in mine["push_subscriptions"]] == ["https://push.example.net/zoe-effacee-phone"]
    assert [f["scope"] for f in mine["calendar_feeds"]] == ["me"]
    assert {m["kind"] for m in mine["movements"]} >= {"check_out", "check_in", "part_missing"}
    assert mine["sessions"] and mine["invites"]

    theirs = await admin.get(f"/api/users/{staff_id}/data")
    assert theirs.status_code == 200 and "attachment" in theirs.headers["content-disposition"]
    theirs = theirs.json()
    assert [(m["task"], m["resource"]) for m in theirs["maintenance_records"]] == [("Nettoyage de la buse", PRINTER)]
    assert [(m["kind"], m["involvement"]) for m in theirs["consumable_movements"]] == [
        ("restock", "staff"), ("use", "staff")]
    assert {m["involvement"] for m in theirs["movements"]} == {"staff"}
    assert [p["involvement"] for p in theirs["print_logs"]] == ["staff"]

    before = await figures(admin, desk["spool"])
    printer = next(row for row in before["hours"]["printers"] if row["tag"] == PRINTER)
    assert (before["stock"], before["learners_used"], before["report"]["prints"]["count"]) == (963, 37, 1)
    assert printer["total_loans"] == 1 and printer["total_hours"] >= 3
    held = await admin.post(f"/api/users/{learner_id}/erase")
    assert (held.status_code, held.json()["code"]) == (409, "person_holds_part"), held.text
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE id = $1", learner_id) == 1, "refused: nothing changed"
    assert (await staff.post(f"/api/parts/{desk['charger']}/return", json={})).status_code == 200

    words = [value for person in (LEARNER, STAFF) for value in person.values()] + ["Effacée", "Effaçable"]
    seen = await traces([learner_id, staff_id], words)
    assert {"consumable_movement.user_id", "maintenance_record.staff_id", "movement: Zoé Effacée"} <= set(seen)
    for person_id in (learner_id, staff_id):
        erased = await admin.post(f"/api/users/{person_id}/erase")
        assert erased.status_code == 200, erased.text
        assert erased.json()["user_id"] == person_id and erased.json()["tables"]
    assert await figures(admin, desk["spool"]) == before, "stock, report and machine hours keep their figures"
    assert await traces([learner_id, staff_id], words) == []
    assert (await admin.get(f"/api/users/{learner_id}")).status_code == 404
    assert (await learner.get("/api/me")).status_code == 401


async def test_an_access_reset_ends_the_feed_link_the_pass_the_phones_and_the_sessions(phones, admin, staff):
    learner, learner_id = await joined(phones, admin, LEARNER)
    links = await learner_everywhere(learner, learner_id)
    assert (await learner.get(links["feed"])).status_code == 200
    assert (await staff.get(f"/api/users/by-pass/{links['pass']}")).status_code == 200
    reset = await staff.post(f"/api/users/{learner_id}/invite")
    assert reset.status_code == 201, reset.text
    assert (await learner.get(links["feed"])).status_code == 404
    unknown = await staff.get(f"/api/users/by-pass/{links['pass']}")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_pass")
    assert (await learner.get("/api/me")).status_code == 401
    assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE user_id = $1", learner_id) == 0
    assert await db.fetchval("SELECT count(*) FROM invite WHERE user_id = $1 AND used_at IS NULL "
                             "AND revoked_at IS NULL", learner_id) == 1, "only the new invite opens the account"
    # The desk pass shown afterwards is a new one, and works.
    phone = await phones()
    token = reset.json()["token"]
    assert (await phone.post(f"/api/invites/{token}/accept", json={"password": PASSWORD})).status_code == 200
    new_pass = (await phone.get("/api/me/pass")).json()["token"]
    assert new_pass != links["pass"]
    assert (await staff.get(f"/api/users/by-pass/{new_pass}")).status_code == 200


async def test_erasure_is_the_admins_and_waits_for_what_the_person_holds(app, admin, staff, learner):
    learner_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    admin_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'admin'")
    await booking_for(learner_id, "VLG-LAP-003", now() - timedelta(hours=1), status="checked_out")
    assert (await staff.post(f"/api/users/{learner_id}/erase")).status_code == 403
    assert (await learner.post(f"/api/users/{learner_id}/erase")).status_code == 403
    held = await admin.post(f"/api/users/{learner_id}/erase")
    assert (held.status_code, held.json()["code"], held.json()["held"]) == (409, "person_holds_item", 1)
    assert (await learner.get("/api/me")).status_code == 200, "a refused erasure changes nothing"
    own = await admin.post(f"/api/users/{admin_id}/erase")
    assert (own.status_code, own.json()["code"]) == (403, "cannot_change_self")
    unknown = await admin.post("/api/users/987654/erase")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_user")


async def test_staff_export_a_learner_of_their_sites_only(admin, staff, learner):
    ours = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    elsewhere = await db.fetchval("SELECT u.id FROM app_user u JOIN site s ON s.id = u.site_id "
                                  "WHERE u.role = 'learner' AND s.slug <> 'vlg' LIMIT 1")
    assert (await staff.get(f"/api/users/{ours}/data")).json()["account"]["login"] == "learner1"
    refused = await staff.get(f"/api/users/{elsewhere}/data")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_your_site")
    assert (await learner.get(f"/api/users/{ours}/data")).status_code == 403
    assert (await admin.get(f"/api/users/{elsewhere}/data")).status_code == 200


async def test_retention_forgets_people_in_the_ledger_the_prints_and_the_maintenance(phones, admin):
    learner, learner_id = await joined(phones, admin, LEARNER)
    staff, staff_id = await joined(phones, admin, STAFF, role="staff")
    desk = await desk_with(staff, LEARNER["login"], learner_id)
    assert (await staff.post(f"/api/parts/{desk['charger']}/return", json={})).status_code == 200
    result = await lifecycle.anonymise_expired(now=now() + timedelta(days=800))
    assert result["tables"]["consumable_movement"] == 2 and result["tables"]["maintenance_record"] == 1
    for sql in ("SELECT count(*) FROM consumable_movement WHERE user_id IS NOT NULL OR staff_id IS NOT NULL "
                "OR note <> ''",
                "SELECT count(*) FROM print_log WHERE staff_id IS NOT NULL",
                "SELECT count(*) FROM part_custody WHERE back_staff_id IS NOT NULL",
                "SELECT count(*) FROM maintenance_record WHERE staff_id IS NOT NULL OR note <> ''",
                "SELECT count(*) FROM movement WHERE holder_id IS NOT NULL OR staff_id IS NOT NULL"):
        assert await db.fetchval(sql) == 0, sql
    assert await db.fetchval("SELECT quantity FROM consumable WHERE id = $1", desk["spool"]) == 963


@pytest.mark.parametrize("path", ["/api/users/{id}/erase", "/api/users/{id}/data"])
async def test_the_new_routes_are_documented(app, path):
    schema = app.openapi_schema.to_schema()
    operation = next(iter(schema["paths"][path.replace("{id}", "{user_id}")].values()))
    assert operation["summary"] and operation["description"]


@pytest.mark.parametrize("how", ["deactivate", "patch"])
async def test_a_deactivation_ends_every_way_in_and_the_waiting(phones, admin, staff, how):
    learner, learner_id = await joined(phones, admin, LEARNER)
    links = await learner_everywhere(learner, learner_id)
    if how == "deactivate":
        done = await staff.post(f"/api/users/{learner_id}/deactivate")
    else:
        done = await staff.patch(f"/api/users/{learner_id}", json={"active": False})
    assert done.status_code == 200 and done.json()["active"] is False
    assert (await learner.get(links["feed"])).status_code == 404
    assert (await staff.get(f"/api/users/by-pass/{links['pass']}")).status_code == 404
    assert (await learner.get("/api/me")).status_code == 401
    assert await db.fetchval("SELECT status FROM waitlist_entry WHERE user_id = $1", learner_id) == "removed"
    assert await db.fetchval("SELECT count(*) FROM push_subscription WHERE user_id = $1", learner_id) == 0
