"""Consumables (issue 19): a stock that PostgreSQL never lets go below zero, an append-only ledger, a
3D-printer return that records grams and outcome, monthly budgets that warn the desk, low-stock
alerts told once, and the consumption report."""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from fablab.platform import db
from fablab.consumables import alerts
from fablab.domain.tokens import hash_token, new_token
from tests.support.clients import make_client, sign_in
from tests.support.mailbox import running_mailbox
from tests.support.racing import signed_in_clients

pytestmark = pytest.mark.pg_engine

RACERS = 20


def now() -> datetime:
    return datetime.now(timezone.utc)


async def new_consumable(client, name: str = "PLA noir", quantity: int = 1000, site: str = "vlg", **extra) -> dict:
    response = await client.post("/api/consumables", json={"site": site, "name": name, "unit": "g",
                                                           "quantity": quantity, "low_threshold": 0, **extra})
    assert response.status_code == 201, response.text
    return response.json()


async def lent(tag: str, login: str, hours: float = 2) -> int:
    """A loan out since `hours` ago, written directly: these tests are about its return."""
    resource = await db.fetchone("SELECT id, site_id, kind FROM resource WHERE tag = $1", tag)
    user_id = await db.fetchval("SELECT id FROM app_user WHERE login = $1", login)
    start = now() - timedelta(hours=hours)
    return await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, status, "
        "checked_out_at) VALUES ($1, $2, $3, $4, $5, $6, $6, 'checked_out', $5) RETURNING id",
        resource["id"], resource["site_id"], resource["kind"], user_id, start, now() + timedelta(hours=2))


async def stock(consumable_id: int) -> int:
    return await db.fetchval("SELECT quantity FROM consumable WHERE id = $1", consumable_id)


async def booking_status(booking_id: int) -> str:
    return await db.fetchval("SELECT status FROM booking WHERE id = $1", booking_id)


# --- The race: PostgreSQL's CHECK is the guarantee --------------------------------------------

async def staff_clients(base: str, count: int) -> list[httpx.AsyncClient]:
    """`count` clients, each with its own live session of staff.vlg (written as the login would)."""
    tokens = []
    for _ in range(count):
        token = new_token()
        await db.fetch("INSERT INTO user_session (token_hash, user_id, expires_at) SELECT $1, id, now() + interval "
                       "'1 hour' FROM app_user WHERE login = 'staff.vlg'", hash_token(token))
        tokens.append(token)
    return await signed_in_clients(base, tokens)


async def test_twenty_simultaneous_uses_of_100_g_from_1000_g_give_ten_and_a_stock_of_zero(live_server):
    site_id = await db.fetchval("SELECT id FROM site WHERE slug = 'vlg'")
    spool = await db.fetchval("INSERT INTO consumable (site_id, name, unit) VALUES ($1, 'PLA course', 'g') "
                              "RETURNING id", site_id)
    clients = await staff_clients(live_server, RACERS)
    await clients[0].post(f"/api/consumables/{spool}/movements", json={"kind": "restock", "quantity": 1000})
    start = asyncio.Event()

    async def use(client):
        await start.wait()
        return await client.post(f"/api/consumables/{spool}/movements", json={"kind": "use", "quantity": 100})

    tasks = [asyncio.create_task(use(client)) for client in clients]
    await asyncio.sleep(0.05)
    start.set()
    try:
        responses = await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))

    assert Counter(r.status_code for r in responses) == {201: 10, 409: 10}
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"insufficient_stock"}
    assert await stock(spool) == 0
    ledger = await db.fetch("SELECT kind, delta, quantity_after FROM consumable_movement WHERE consumable_id = $1 "
                            "ORDER BY id", spool)
    assert [(row["kind"], row["delta"]) for row in ledger] == [("restock", 1000)] + [("use", -100)] * 10
    # Each row's stock is the one before it plus its change: the ledger explains the stock.
    assert [row["quantity_after"] for row in ledger] == list(range(1000, -1, -100))


async def test_postgresql_itself_refuses_a_negative_stock_and_edits_of_the_ledger(staff):
    spool = await new_consumable(staff, quantity=50)
    with pytest.raises(asyncpg.CheckViolationError, match="consumable_stock_not_negative"):
        await db.fetch("UPDATE consumable SET quantity = quantity - 51 WHERE id = $1", spool["id"])
    for statement in ("UPDATE consumable_movement SET delta = 5 WHERE consumable_id = $1",
                      "DELETE FROM consumable_movement WHERE consumable_id = $1"):
        with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
            await db.fetch(statement, spool["id"])
    # Forgetting people is the one change allowed (anonymisation).
    await db.fetch("UPDATE consumable_movement SET staff_id = NULL, note = '' WHERE consumable_id = $1", spool["id"])
    # And no route edits or deletes a ledger row.
    for method in ("PUT", "PATCH", "DELETE"):
        response = await staff.request(method, f"/api/consumables/{spool['id']}/movements", json={})
        assert response.status_code == 405, (method, response.text)
    assert await stock(spool["id"]) == 50


# --- A printer's return -----------------------------------------------------------------------

async def test_a_failed_print_of_37_g_lowers_the_stock_and_shows_in_the_print_log_and_the_report(staff):
    spool = await new_consumable(staff, quantity=1000)
    booking = await lent("VLG-P3D-001", "learner3", hours=2)
    response = await staff.post("/api/checkins", json={
        "tag": "VLG-P3D-001", "consumables": [{"id": spool["id"], "quantity": 37}], "outcome": "failed"})
    assert response.status_code == 200, response.text
    consumption = response.json()["consumption"]
    assert consumption["outcome"] == "failed" and consumption["warnings"] == []
    assert consumption["uses"] == [{"id": spool["id"], "name": "PLA noir", "unit": "g", "quantity": 37,
                                    "stock_after": 963}]
    assert await stock(spool["id"]) == 963 and await booking_status(booking) == "returned"

    [log] = (await staff.get("/api/print-logs", params={"tag": "VLG-P3D-001"})).json()
    assert (log["booking"], log["grams"], log["outcome"], log["user"]["login"]) == (booking, 37, "failed", "learner3")
    assert 119 <= log["duration_minutes"] <= 121
    assert (await staff.get("/api/print-logs", params={"booking": booking})).json() == [log]
    [use] = [m for m in (await staff.get(f"/api/consumables/{spool['id']}/movements")).json() if m["kind"] == "use"]
    assert (use["delta"], use["booking"], use["user"]["login"], use["staff"]["login"]) == (
        -37, booking, "learner3", "staff.vlg")

    report = (await staff.get("/api/reports/consumption", params={"site": "vlg"})).json()
    [row] = report["consumables"]
    assert (row["used"], row["failed_quantity"], row["failed_share"], row["stock"]) == (37, 37, 1.0, 963)
    assert report["prints"] == {"count": 1, "failed": 1, "failed_share": 1.0}
    [learner] = report["learners"]
    assert (learner["user"]["login"], learner["used"], learner["over_budget"]) == ("learner3", 37, False)
    listed = await staff.get("/api/reports/consumption", params={"site": "vlg", "format": "csv"})
    assert listed.headers["content-type"].startswith("text/csv")
    [csv_row] = list(csv.DictReader(io.StringIO(listed.text.lstrip("\ufeff"))))
    assert (csv_row["name"], csv_row["used"], csv_row["failed_quantity"], csv_row["failed_share"]) == (
        "PLA noir", "37", "37", "1.0")
    by_learner = await staff.get("/api/reports/consumption", params={"site": "vlg", "format": "csv",
                                                                     "table": "learners"})
    assert "learner3" in by_learner.text and ",37," in by_learner.text.replace('"', "")
    # Another month shows none of it.
    earlier = (await staff.get("/api/reports/consumption", params={"site": "vlg", "month": "2026-01"})).json()
    assert earlier["consumables"][0]["used"] == 0 and earlier["prints"]["count"] == 0


async def test_an_outcome_is_for_printers_only_and_a_refused_return_changes_nothing(staff):
    spool = await new_consumable(staff, quantity=10)
    laptop = await lent("VLG-LAP-001", "learner1")
    refused = await staff.post("/api/checkins", json={"tag": "VLG-LAP-001", "outcome": "success"})
    assert refused.status_code == 400 and refused.json()["code"] == "outcome_not_for_printer"
    assert await booking_status(laptop) == "checked_out"

    printer = await lent("VLG-P3D-002", "learner3")
    short = await staff.post("/api/checkins", json={"tag": "VLG-P3D-002", "outcome": "success",
                                                    "consumables": [{"id": spool["id"], "quantity": 37}]})
    assert short.status_code == 409 and short.json()["code"] == "insufficient_stock"
    assert short.json()["available"] == 10
    assert await booking_status(printer) == "checked_out" and await stock(spool["id"]) == 10
    assert await db.fetchval("SELECT count(*) FROM print_log") == 0
    # A printer returned with no print recorded is a plain return.
    assert (await staff.post("/api/checkins", json={"tag": "VLG-P3D-002"})).status_code == 200


async def test_going_over_the_monthly_budget_warns_the_desk_which_decides(staff, app):
    spool = await new_consumable(staff, quantity=1000, monthly_budget_per_learner=100)
    first = await lent("VLG-P3D-001", "learner3", hours=3)
    used = await staff.post(f"/api/consumables/{spool['id']}/movements",
                            json={"kind": "use", "quantity": 80, "booking": first})
    assert used.status_code == 201 and used.json()["movement"]["user"]["login"] == "learner3"
    body = {"tag": "VLG-P3D-001", "consumables": [{"id": spool["id"], "quantity": 37}], "outcome": "success"}

    asked = await staff.post("/api/checkins", json={**body, "dry_run": True})
    assert asked.status_code == 200, asked.text
    [warning] = asked.json()["consumption"]["warnings"]
    assert warning == {"code": "over_budget", "consumable": spool["id"], "name": "PLA noir", "unit": "g",
                       "budget": 100, "used_before": 80, "used_after": 117}
    assert await booking_status(first) == "checked_out" and await stock(spool["id"]) == 920  # the dry run kept nothing

    done = await staff.post("/api/checkins", json=body)
    assert done.status_code == 200 and done.json()["consumption"]["warnings"] == [warning]
    assert await stock(spool["id"]) == 883 and await booking_status(first) == "returned"

    async with make_client(app) as client:
        learner = await sign_in(client, "learner3")
        mine = (await learner.get("/api/me/consumption")).json()
        assert mine["month"] == datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y-%m")
        assert [(item["name"], item["used"], item["budget"]) for item in mine["items"]] == [("PLA noir", 117, 100)]
    report = (await staff.get("/api/reports/consumption", params={"site": "vlg"})).json()
    assert report["learners"][0]["over_budget"] is True


async def test_adjust_sets_the_counted_stock_and_patch_sets_threshold_and_budget(staff):
    spool = await new_consumable(staff, quantity=1000)
    counted = await staff.post(f"/api/consumables/{spool['id']}/movements",
                               json={"kind": "adjust", "quantity": 940, "note": "pesée"})
    assert counted.status_code == 201
    assert counted.json()["consumable"]["quantity"] == 940 and counted.json()["movement"]["delta"] == -60
    changed = await staff.patch(f"/api/consumables/{spool['id']}",
                                json={"low_threshold": 200, "monthly_budget_per_learner": 250, "name": "PLA noir 1,75"})
    assert changed.status_code == 200
    assert {k: changed.json()[k] for k in ("name", "low_threshold", "monthly_budget_per_learner", "quantity")} == {
        "name": "PLA noir 1,75", "low_threshold": 200, "monthly_budget_per_learner": 250, "quantity": 940}
    cleared = await staff.patch(f"/api/consumables/{spool['id']}", json={"monthly_budget_per_learner": None})
    assert cleared.json()["monthly_budget_per_learner"] is None
    listed = (await staff.get("/api/consumables", params={"site": "vlg"})).json()
    assert [item["id"] for item in listed] == [spool["id"]]


# --- Bad input and sites ------------------------------------------------------------------------

async def test_bad_input_is_refused_with_a_code_and_changes_nothing(staff, staff_everywhere):
    spool = await new_consumable(staff, quantity=100)
    other = await new_consumable(staff_everywhere, name="PLA Pantin", site="pan")
    move = f"/api/consumables/{spool['id']}/movements"
    cases = [
        ("POST", "/api/consumables", {"site": "vlg", "name": "X", "unit": "kg", "quantity": 1}, 400, "invalid_input"),
        ("POST", "/api/consumables", {"site": "vlg", "name": "PLA NOIR", "unit": "g"}, 409, "consumable_exists"),
        ("POST", "/api/consumables", {"site": "nowhere", "name": "X", "unit": "g"}, 404, "unknown_site"),
        ("POST", "/api/consumables", {"site": "vlg", "name": "", "unit": "g"}, 400, "invalid_input"),
        ("PATCH", f"/api/consumables/{spool['id']}", {"quantity": 5}, 400, "invalid_input"),
        ("PATCH", "/api/consumables/987654", {"name": "Y"}, 404, "unknown_consumable"),
        ("POST", move, {"kind": "use", "quantity": -5}, 400, "invalid_input"),
        ("POST", move, {"kind": "use", "quantity": 0}, 400, "invalid_quantity"),
        ("POST", move, {"kind": "steal", "quantity": 5}, 400, "invalid_input"),
        ("POST", move, {"kind": "use", "quantity": 101}, 409, "insufficient_stock"),
        ("POST", move, {"kind": "loss", "quantity": 101}, 409, "insufficient_stock"),
        ("POST", move, {"kind": "use", "quantity": 5, "booking": 987654}, 404, "unknown_booking"),
        ("POST", move, {"kind": "use", "quantity": 5, "booking": 2**40}, 404, "unknown_booking"),
        ("POST", "/api/consumables/987654/movements", {"kind": "use", "quantity": 5}, 404, "unknown_consumable"),
        ("GET", "/api/reports/consumption?site=vlg&month=2026-13", None, 400, "invalid_month"),
        ("GET", "/api/reports/consumption?site=vlg&format=xls", None, 400, "invalid_format"),
        ("GET", "/api/print-logs", None, 400, "tag_or_booking_required"),
        ("GET", "/api/print-logs?tag=NOTHING-1", None, 404, "unknown_tag"),
    ]
    for method, path, body, status, code in cases:
        response = await staff.request(method, path, json=body)
        assert (response.status_code, response.json().get("code")) == (status, code), (method, path, body, response.text)
    pan_booking = await lent("PAN-LAP-001", "learner21")
    response = await staff.post(move, json={"kind": "use", "quantity": 5, "booking": pan_booking})
    assert response.json()["code"] == "booking_other_site"

    await lent("VLG-P3D-001", "learner3")
    checkin = {"tag": "VLG-P3D-001", "outcome": "success"}
    for uses, code in (([{"id": other["id"], "quantity": 5}], "consumable_other_site"),
                       ([{"id": spool["id"], "quantity": 5}] * 2, "duplicate_consumable"),
                       ([{"id": 987654, "quantity": 5}], "unknown_consumable"),
                       ([{"id": spool["id"], "quantity": 0}], "invalid_input")):
        response = await staff.post("/api/checkins", json={**checkin, "consumables": uses})
        assert response.json()["code"] == code, response.text
    assert await stock(spool["id"]) == 100
    assert await db.fetchval("SELECT count(*) FROM consumable_movement") == 2  # the two starting stocks


async def test_staff_act_on_the_stock_of_their_own_sites_only(app, staff_everywhere):
    spool = await new_consumable(staff_everywhere, quantity=100)  # at vlg
    async with make_client(app) as client:
        pfs = await sign_in(client, "staff.pfs")
        for method, path, body in (
                ("GET", "/api/consumables?site=vlg", None),
                ("POST", "/api/consumables", {"site": "vlg", "name": "Résine", "unit": "ml"}),
                ("PATCH", f"/api/consumables/{spool['id']}", {"low_threshold": 5}),
                ("POST", f"/api/consumables/{spool['id']}/movements", {"kind": "use", "quantity": 5}),
                ("GET", f"/api/consumables/{spool['id']}/movements", None),
                ("GET", "/api/reports/consumption?site=vlg", None),
                ("GET", "/api/print-logs?tag=VLG-P3D-001", None)):
            response = await pfs.request(method, path, json=body)
            assert (response.status_code, response.json()["code"]) == (403, "not_your_site"), (method, path)
        assert (await pfs.get("/api/consumables")).json() == []  # their own sites: none yet
        learner = await sign_in(client, "learner1")
        assert (await learner.get("/api/consumables")).status_code == 403
    assert await stock(spool["id"]) == 100


# --- Low stock: told once ---------------------------------------------------------------------

@pytest.fixture
def alert_box():
    with running_mailbox() as box:
        yield box


async def open_alerts(consumable_id: int) -> int:
    return await db.fetchval("SELECT count(*) FROM consumable_alert WHERE consumable_id = $1 AND resolved_at IS NULL",
                             consumable_id)


async def test_crossing_below_the_threshold_tells_staff_once_until_restocked(staff, alert_box):
    await db.fetch("UPDATE app_user SET email = 'equipe.vlg@example.org' WHERE login = 'staff.vlg'")
    spool = await new_consumable(staff, quantity=1000, low_threshold=200)
    move = f"/api/consumables/{spool['id']}/movements"
    assert spool["low"] is False and spool["low_since"] is None
    assert (await alerts.mail_low_stock_alerts(alert_box.smtp))["sent"] == 0

    below = (await staff.post(move, json={"kind": "use", "quantity": 850})).json()["consumable"]
    assert below["quantity"] == 150 and below["low"] is True and below["low_since"] is not None
    await staff.post(move, json={"kind": "use", "quantity": 10})
    await staff.post(move, json={"kind": "loss", "quantity": 10})
    assert await open_alerts(spool["id"]) == 1
    assert await alerts.mail_low_stock_alerts(alert_box.smtp) == {"sent": 1, "skipped": 0, "failed": 0}
    assert await alerts.mail_low_stock_alerts(alert_box.smtp) == {"sent": 0, "skipped": 0, "failed": 0}
    [message] = alert_box.messages
    assert message["To"] == "equipe.vlg@example.org" and message["Subject"] == "Stock bas : PLA noir (Villeneuve-la-Garenne)"
    assert "150 g restant(s), seuil 200 g" in message.get_content()
    listed = (await staff.get("/api/consumables")).json()
    assert [item["low"] for item in listed] == [True]

    restocked = (await staff.post(move, json={"kind": "restock", "quantity": 500})).json()["consumable"]
    assert restocked["low"] is False and restocked["low_since"] is None and await open_alerts(spool["id"]) == 0
    await staff.post(move, json={"kind": "use", "quantity": 500})  # below again: a new alert, a new e-mail
    assert await open_alerts(spool["id"]) == 1
    assert (await alerts.mail_low_stock_alerts(alert_box.smtp))["sent"] == 1 and len(alert_box.messages) == 2


async def test_without_smtp_the_alert_job_sends_nothing(staff, monkeypatch):
    monkeypatch.delenv("FABLAB_SMTP_HOST", raising=False)
    await new_consumable(staff, quantity=10, low_threshold=200)
    assert await alerts.run_low_stock_mail() is None
    assert await db.fetchval("SELECT count(*) FROM consumable_alert WHERE mailed_at IS NULL") == 1


async def test_the_demo_has_a_few_spools_per_site_explained_by_the_ledger(demo):
    from fablab.consumables.service import seed_demo_consumables

    staff = {site["id"]: demo["staff"][slug] for slug, site in demo["sites"].items()}
    assert await seed_demo_consumables(staff) == 9
    assert await seed_demo_consumables(staff) == 0  # once
    rows = await db.fetch("SELECT c.quantity, sum(m.delta) AS ledger FROM consumable c "
                          "JOIN consumable_movement m ON m.consumable_id = c.id GROUP BY c.id")
    assert len(rows) == 9 and all(row["quantity"] == row["ledger"] for row in rows)
