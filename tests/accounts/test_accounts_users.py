"""Staff managing learners: who sees and changes whom, mass assignment, deactivation, CSV, trainings."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from fablab.platform import db
from fablab.accounts.csvio import neutralise_cell, parse_cohort
from tests.support.clients import make_client, sign_in


async def user_id(login: str) -> int:
    return await db.fetchval("SELECT id FROM app_user WHERE login = $1", login)


async def snapshot(login: str) -> dict:
    return await db.fetchone(
        "SELECT role, name, login, site_id, cohort, active, password_hash, updated_at FROM app_user WHERE login = $1",
        login)


async def test_staff_list_their_sites_learners_only(staff):
    rows = (await staff.get("/api/users")).json()
    assert {row["role"] for row in rows} == {"learner"}
    assert {row["site"] for row in rows} == {"vlg"} and len(rows) == 10
    assert all(set(row) >= {"id", "login", "name", "cohort", "active", "activated"} for row in rows)
    # Another site's learners are its staff's business (issue 16 §1).
    other_site = await staff.get("/api/users?site=pan")
    assert other_site.status_code == 403 and other_site.json()["code"] == "not_your_site"
    assert (await staff.get("/api/users?role=staff")).status_code == 403
    found = (await staff.get("/api/users", params={"q": "learner1"})).json()
    assert {row["login"] for row in found} == {"learner1", "learner10"}
    assert (await staff.get("/api/users", params={"q": "%"})).json() == []


async def test_admin_lists_everyone(admin):
    rows = (await admin.get("/api/users")).json()
    assert {row["role"] for row in rows} == {"learner", "staff", "admin"}
    assert [row["login"] for row in (await admin.get("/api/users?role=staff")).json()] == \
        ["staff.pan", "staff.pfs", "staff.vlg"]


async def test_learner_cannot_read_or_change_another_user(learner):
    """IDOR: learner1 aiming at learner2 by id gets refused and nothing changes."""
    target = await user_id("learner2")
    before = await snapshot("learner2")
    assert (await learner.get(f"/api/users/{target}")).status_code == 403
    for body in ({"name": "Pirate"}, {"active": False}, {"cohort": "X"}):
        assert (await learner.patch(f"/api/users/{target}", json=body)).status_code == 403
    assert (await learner.post(f"/api/users/{target}/deactivate")).status_code == 403
    assert (await learner.post(f"/api/users/{target}/invite")).status_code == 403
    assert (await learner.post(f"/api/users/{target}/certifications", json={"training_id": 1})).status_code == 403
    assert (await learner.get("/api/users")).status_code == 403
    assert await snapshot("learner2") == before


async def test_staff_cannot_see_staff_nor_change_other_sites(staff):
    pan_learner, other_staff, admin_id = await user_id("learner21"), await user_id("staff.pan"), await user_id("admin")
    before = await snapshot("learner21")
    seen = await staff.get(f"/api/users/{pan_learner}")
    assert seen.status_code == 403 and seen.json()["code"] == "not_your_site"  # personal data (issue 16 §1)
    response = await staff.patch(f"/api/users/{pan_learner}", json={"name": "Changed"})
    assert response.status_code == 403 and response.json()["code"] == "not_your_site"
    assert (await staff.post(f"/api/users/{pan_learner}/deactivate")).status_code == 403
    for target in (other_staff, admin_id):
        assert (await staff.get(f"/api/users/{target}")).status_code == 404
        assert (await staff.patch(f"/api/users/{target}", json={"active": False})).status_code == 404
    assert await snapshot("learner21") == before
    assert (await db.fetchval("SELECT bool_and(active) FROM app_user"))


@pytest.mark.parametrize("extra", [{"role": "admin"}, {"site": "pan"}, {"id": 1}, {"login": "renamed"},
                                   {"password_hash": "x"}])
async def test_mass_assignment_in_patch_is_refused(staff, extra):
    target = await user_id("learner1")
    before = await snapshot("learner1")
    response = await staff.patch(f"/api/users/{target}", json={"name": "New name", **extra})
    assert response.status_code == 400
    assert await snapshot("learner1") == before


@pytest.mark.parametrize("extra", [{"id": 1}, {"active": False}, {"password": "chosen-by-staff"}])
async def test_mass_assignment_in_create_is_refused(staff, extra):
    response = await staff.post("/api/users", json={"name": "New One", "login": "new.one", **extra})
    assert response.status_code == 400
    assert await user_id("new.one") is None


async def test_nobody_changes_their_own_role_site_login_or_active(admin, staff):
    for client, login in ((admin, "admin"), (staff, "staff.vlg")):
        me = await user_id(login)
        before = await snapshot(login)
        for body in ({"role": "learner"}, {"site": "pan"}, {"login": "me2"}):
            assert (await client.patch(f"/api/users/{me}", json=body)).status_code == 400
        assert (await client.post(f"/api/users/{me}/deactivate")).status_code == 403
        assert await snapshot(login) == before
    response = await admin.patch(f"/api/users/{await user_id('admin')}", json={"active": False})
    assert response.status_code == 403 and response.json()["code"] == "cannot_change_self"


async def test_staff_update_their_learner(staff):
    target = await user_id("learner1")
    response = await staff.patch(f"/api/users/{target}", json={"name": "  Inès Nouvelle ", "cohort": "VLG-2027"})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Inès Nouvelle" and body["cohort"] == "VLG-2027" and body["role"] == "learner"
    assert (await staff.patch(f"/api/users/{target}", json={"name": "   "})).json()["code"] == "name_required"


async def test_staff_create_learner_at_their_site_only(staff):
    response = await staff.post("/api/users", json={"name": "Awa K.", "login": "Awa.K", "cohort": "VLG-2027"})
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["login"] == "awa.k" and body["user"]["site"] == "vlg" and body["user"]["role"] == "learner"
    assert body["user"]["activated"] is False and body["user"]["invite_expires_at"]
    assert body["invite"]["url"] == f"http://testserver/#/invite/{body['invite']['token']}"
    assert body["invite"]["qr_svg"].startswith("<svg")
    refused = await staff.post("/api/users", json={"name": "X", "login": "x.pan", "site": "pan"})
    assert refused.status_code == 403 and refused.json()["code"] == "not_your_site"
    refused = await staff.post("/api/users", json={"name": "X", "login": "x.staff", "role": "staff"})
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    taken = await staff.post("/api/users", json={"name": "Again", "login": "AWA.K"})
    assert taken.status_code == 409 and taken.json()["code"] == "login_taken"
    bad = await staff.post("/api/users", json={"name": "Bad", "login": "has space"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_login"
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE login LIKE 'x.%'") == 0


async def test_admin_creates_staff_at_a_named_site(admin):
    response = await admin.post("/api/users", json={"name": "Équipe 2", "login": "staff2.pan", "role": "staff",
                                                    "site": "pan"})
    assert response.status_code == 201 and response.json()["user"]["role"] == "staff"
    assert (await admin.post("/api/users", json={"name": "No site", "login": "nosite"})).json()["code"] == "site_required"
    assert (await admin.post("/api/users", json={"name": "Boss", "login": "boss", "role": "admin",
                                                 "site": "pan"})).status_code == 400


async def test_deactivation_ends_sessions_everywhere(app, staff):
    async with make_client(app) as phone, make_client(app) as laptop:
        await sign_in(phone, "learner1")
        await sign_in(laptop, "learner1")
        target = await user_id("learner1")
        response = await staff.post(f"/api/users/{target}/deactivate")
        assert response.status_code == 200 and response.json()["active"] is False
        assert (await phone.get("/api/me")).status_code == 401
        assert (await laptop.get("/api/me")).status_code == 401
        again = await laptop.post("/api/auth/login", json={"login": "learner1", "password": "fablab-demo"})
        assert again.status_code == 401
    assert await db.fetchval(
        "SELECT count(*) FROM user_session WHERE user_id = $1 AND revoked_at IS NULL", target) == 0


async def test_patch_active_false_also_ends_sessions_and_invites(staff, learner):
    target = await user_id("learner1")
    invite = (await staff.post(f"/api/users/{target}/invite")).json()
    assert (await staff.patch(f"/api/users/{target}", json={"active": False})).status_code == 200
    assert (await learner.get("/api/me")).status_code == 401
    assert (await staff.get(f"/api/invites/{invite['token']}")).status_code == 404


async def test_new_invite_revokes_the_older_one(staff, anon):
    target = await user_id("learner2")
    first = (await staff.post(f"/api/users/{target}/invite")).json()
    second = (await staff.post(f"/api/users/{target}/invite")).json()
    assert first["token"] != second["token"]
    assert (await anon.get(f"/api/invites/{first['token']}")).status_code == 404
    assert (await anon.get(f"/api/invites/{second['token']}")).json()["login"] == "learner2"


async def test_trainings_and_certifications(staff, learner):
    trainings = (await learner.get("/api/trainings")).json()
    assert [t["name"] for t in trainings] == ["Impression 3D – bases"]
    training_id = trainings[0]["id"]
    target = await user_id("learner1")
    expires = (datetime.now(timezone.utc) + timedelta(days=365)).isoformat()
    granted = await staff.post(f"/api/users/{target}/certifications", json={"training_id": training_id,
                                                                             "expires_at": expires})
    assert granted.status_code == 201
    certifications = granted.json()["certifications"]
    assert [(c["training"], c["granted_by"], c["expired"]) for c in certifications] == \
        [("Impression 3D – bases", "Équipe Villeneuve-la-Garenne", False)]
    shown = (await staff.get(f"/api/users/{target}")).json()
    assert shown["certifications"][0]["training_id"] == training_id
    past = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    response = await staff.post(f"/api/users/{target}/certifications", json={"training_id": training_id,
                                                                              "expires_at": past})
    assert response.status_code == 400 and response.json()["code"] == "invalid_expiry"
    response = await staff.post(f"/api/users/{target}/certifications", json={"training_id": 999})
    assert response.status_code == 404 and response.json()["code"] == "unknown_training"
    assert (await staff.delete(f"/api/users/{target}/certifications/{training_id}")).status_code == 204
    assert (await staff.get(f"/api/users/{target}")).json()["certifications"] == []
    assert (await staff.delete(f"/api/users/{target}/certifications/{training_id}")).status_code == 404
    pan_learner = await user_id("learner21")
    response = await staff.post(f"/api/users/{pan_learner}/certifications", json={"training_id": training_id})
    assert response.status_code == 403


COHORT_CSV = (
    "name;login;site;cohort\r\n"
    "Nadia B.;nadia.b;vlg;VLG-2027\r\n"
    "Sans Login;;vlg;VLG-2027\r\n"
    "Ali P.;ali.p;pan;VLG-2027\r\n"
    "Double;learner1;vlg;VLG-2027\r\n"
    "\r\n"
    "Eve M.;eve.m;;'=HYPERLINK(\"x\")\r\n"
)


async def test_cohort_import_reports_each_row(staff, anon):
    response = await staff.post("/api/users/import", content=COHORT_CSV.encode("cp1252"),
                                headers={"content-type": "text/csv"})
    # All or nothing (issue 26): the bad lines listed, nobody created.
    assert response.status_code == 400 and response.json()["code"] == "import_rejected"
    outcome = {row["line"]: (row["login"], row["code"]) for row in response.json()["rows"]}
    assert outcome == {3: ("", "invalid_login"), 4: ("ali.p", "not_your_site"), 5: ("learner1", "login_taken")}
    assert await db.fetchval("SELECT count(*) FROM app_user WHERE login IN ('nadia.b', 'eve.m')") == 0
    fixed = "\r\n".join(line for n, line in enumerate(COHORT_CSV.split("\r\n"), start=1) if n not in (3, 4, 5))
    response = await staff.post("/api/users/import", content=fixed.encode("cp1252"), headers={"content-type": "text/csv"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["errors"]) == (2, 0)
    eve = next(row for row in body["rows"] if row["login"] == "eve.m")
    assert eve["invite"]["qr_svg"].startswith("<svg")
    assert (await anon.get(f"/api/invites/{eve['invite']['token']}")).json()["name"] == "Eve M."
    # The apostrophe guarding a formula was the export's: the import takes it off.
    assert await db.fetchval("SELECT cohort FROM app_user WHERE login = 'eve.m'") == '=HYPERLINK("x")'
    assert await db.fetchval("SELECT site_id FROM app_user WHERE login = 'eve.m'") == \
        await db.fetchval("SELECT id FROM site WHERE slug = 'vlg'")


async def test_import_without_header_is_refused(staff):
    response = await staff.post("/api/users/import", content=b"Nadia;nadia\n", headers={"content-type": "text/csv"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_csv"
    response = await staff.post("/api/users/import", content=b"\xff\xfe\x00garbage\x81",
                                headers={"content-type": "text/csv"})
    assert response.status_code == 400


async def test_export_neutralises_formulas(staff):
    target = await user_id("learner1")
    await staff.patch(f"/api/users/{target}", json={"name": "=cmd|' /C calc'!A0", "cohort": "+33 6 12"})
    await staff.patch(f"/api/users/{await user_id('learner2')}", json={"name": "@SUM(1)", "cohort": "-1"})
    response = await staff.get("/api/users/export.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_login = {row["login"]: row for row in rows}
    assert by_login["learner1"]["name"] == "'=cmd|' /C calc'!A0" and by_login["learner1"]["cohort"] == "'+33 6 12"
    assert by_login["learner2"]["name"] == "'@SUM(1)" and by_login["learner2"]["cohort"] == "'-1"
    assert {row["site"] for row in rows} == {"vlg"} and len(rows) == 10
    # What was exported imports back as it was.
    parsed = parse_cohort(response.content)
    assert {row.login: row.name for row in parsed}["learner1"] == "=cmd|' /C calc'!A0"


def test_neutralise_cell():
    for dangerous in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert neutralise_cell(dangerous) == "'" + dangerous
    assert neutralise_cell("Inès") == "Inès" and neutralise_cell("") == ""
