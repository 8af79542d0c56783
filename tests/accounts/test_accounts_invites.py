"""Invites (one-time activation links) and learner passes (the QR shown at the desk)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from fablab.platform import db
from fablab.accounts import invites, passes
from fablab.accounts.qr import qr_svg, svg_data_url
from fablab.accounts.service import user_id_for_pass
from tests.support.clients import make_client


async def new_learner(staff, login: str = "nadia.b") -> dict:
    response = await staff.post("/api/users", json={"name": "Nadia B.", "login": login, "cohort": "VLG-2027"})
    assert response.status_code == 201, response.text
    return response.json()


async def test_invite_activates_logs_in_and_works_once(app, staff):
    created = await new_learner(staff)
    token = created["invite"]["token"]
    async with make_client(app) as phone:
        await phone.get("/health")
        phone.headers["x-csrftoken"] = phone.cookies["csrftoken"]
        shown = await phone.get(f"/api/invites/{token}")
        assert shown.status_code == 200
        assert shown.json()["name"] == "Nadia B." and shown.json()["login"] == "nadia.b"
        accepted = await phone.post(f"/api/invites/{token}/accept", json={"password": "mon-velo-rouge"})
        assert accepted.status_code == 200
        assert accepted.json()["login"] == "nadia.b" and "password" not in accepted.text
        assert (await phone.get("/api/me")).json()["login"] == "nadia.b"
        again = await phone.post(f"/api/invites/{token}/accept", json={"password": "another-password"})
        assert again.status_code == 404 and again.json()["code"] == "unknown_invite"
        assert (await phone.get(f"/api/invites/{token}")).status_code == 404
    assert (await staff.get(f"/api/users/{created['user']['id']}")).json()["activated"] is True
    login = await staff.post("/api/auth/login", json={"login": "nadia.b", "password": "another-password"})
    assert login.status_code == 401, "the second acceptance set nothing"


async def test_two_phones_racing_on_one_invite_get_one_account(app, staff):
    token = (await new_learner(staff))["invite"]["token"]

    async def accept(password: str) -> int:
        async with make_client(app) as phone:
            await phone.get("/health")
            phone.headers["x-csrftoken"] = phone.cookies["csrftoken"]
            return (await phone.post(f"/api/invites/{token}/accept", json={"password": password})).status_code

    statuses = await asyncio.gather(accept("first-password"), accept("second-password"))
    assert sorted(statuses) == [200, 404]
    assert await db.fetchval("SELECT count(*) FROM user_session s JOIN app_user u ON u.id = s.user_id "
                             "WHERE u.login = 'nadia.b' AND s.revoked_at IS NULL") == 1


async def test_invite_expires(staff, anon):
    token = (await new_learner(staff))["invite"]["token"]
    await db.fetch("UPDATE invite SET expires_at = now() - interval '1 second'")
    assert (await anon.get(f"/api/invites/{token}")).status_code == 404
    response = await anon.post(f"/api/invites/{token}/accept", json={"password": "mon-velo-rouge"})
    assert response.status_code == 404
    assert await db.fetchval("SELECT password_hash FROM app_user WHERE login = 'nadia.b'") is None


async def test_invite_lifetime_is_a_week(staff):
    created = await new_learner(staff)
    expires = datetime.fromisoformat(created["invite"]["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(timezone.utc) <= invites.INVITE_LIFETIME


async def test_wrong_or_odd_tokens_are_404(anon):
    for token in ("nope", "x" * 500, "a.b"):
        assert (await anon.get(f"/api/invites/{token}")).status_code == 404
        response = await anon.post(f"/api/invites/{token}/accept", json={"password": "mon-velo-rouge"})
        assert response.status_code == 404 and response.json()["code"] == "unknown_invite"
    # A NUL in a path is refused before any route (issue 16 §2).
    response = await anon.post("/api/invites/%00/accept", json={"password": "mon-velo-rouge"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_path"


async def test_weak_password_keeps_the_invite(staff, anon):
    token = (await new_learner(staff))["invite"]["token"]
    for password in ("short", "nadia.b", "x" * 129):
        response = await anon.post(f"/api/invites/{token}/accept", json={"password": password})
        assert response.status_code == 400 and response.json()["code"] == "weak_password"
    assert (await anon.post(f"/api/invites/{token}/accept", json={"password": "mon-velo-rouge"})).status_code == 200


WEAK_PASSWORDS = {
    "aaaaaaaa": "guessable", "12345678": "guessable", "password": "guessable", "motdepasse": "guessable",
    "azertyuiop": "guessable", " " * 8: "invisible", "\u200b" * 8: "invisible", "\x00" * 8: "control_character",
    "nadia.b1": "login_based", "Nadia.B!": "login_based", "x" * 129: "too_long", "court": "too_short",
    "a\u200bb\u200bc\u200bd\u200b": "too_short",
}


@pytest.mark.parametrize("password, reason", WEAK_PASSWORDS.items(), ids=[repr(p[:12]) for p in WEAK_PASSWORDS])
async def test_weak_passwords_of_the_issue_are_refused_with_a_reason(staff, anon, password, reason):
    token = (await new_learner(staff))["invite"]["token"]
    response = await anon.post(f"/api/invites/{token}/accept", json={"password": password})
    assert response.status_code == 400, response.text
    assert (response.json()["code"], response.json()["reason"]) == ("weak_password", reason)
    assert await db.fetchval("SELECT password_hash FROM app_user WHERE login = 'nadia.b'") is None


async def test_staff_need_a_stronger_password_than_learners(admin, anon):
    from fablab.accounts.strength import check_new_password

    check_new_password("Soleil2026!", login="nadia.b", role="learner")  # about 10^7 guesses: a learner's is fine
    created = await admin.post("/api/users", json={"name": "Karim Staff", "login": "karim.s", "role": "staff", "site": "vlg"})
    token = created.json()["invite"]["token"]
    response = await anon.post(f"/api/invites/{token}/accept", json={"password": "Karim2026!"})
    assert response.status_code == 400 and response.json()["reason"] in ("guessable", "login_based"), response.text
    response = await anon.post(f"/api/invites/{token}/accept", json={"password": "Soleil2026!"})
    assert response.status_code == 400 and response.json()["reason"] == "guessable", response.text
    assert (await anon.post(f"/api/invites/{token}/accept", json={"password": "trois-pommes-sur-le-velo"})).status_code == 200


async def test_accept_refuses_extra_fields(staff, anon):
    token = (await new_learner(staff))["invite"]["token"]
    response = await anon.post(f"/api/invites/{token}/accept", json={"password": "mon-velo-rouge", "role": "admin"})
    assert response.status_code == 400
    assert (await anon.get(f"/api/invites/{token}")).status_code == 200, "still unused"
    assert await db.fetchval("SELECT role FROM app_user WHERE login = 'nadia.b'") == "learner"


async def test_reset_access_signs_out_old_sessions_and_reactivates(staff, learner, anon):
    target = (await learner.get("/api/me")).json()["id"]
    await staff.post(f"/api/users/{target}/deactivate")
    invite = (await staff.post(f"/api/users/{target}/invite")).json()
    assert (await anon.post(f"/api/invites/{invite['token']}/accept", json={"password": "nouveau-depart"})).status_code == 200
    assert (await anon.get("/api/me")).json()["login"] == "learner1"
    assert (await staff.get(f"/api/users/{target}")).json()["active"] is True
    old = await anon.post("/api/auth/login", json={"login": "learner1", "password": "fablab-demo"})
    assert old.status_code == 401


async def test_invite_tokens_are_stored_hashed(staff):
    token = (await new_learner(staff))["invite"]["token"]
    stored = await db.fetchval("SELECT token_hash FROM invite")
    assert stored != token and token not in stored and len(stored) == 64


def test_qr_svg_is_an_svg_with_a_white_background():
    svg = qr_svg("http://testserver/#/invite/abc")
    assert svg.startswith("<svg") and 'fill="white"' in svg and "style=" not in svg
    assert svg_data_url(svg).startswith("data:image/svg+xml;base64,")


async def test_pass_is_stable_until_rotated(learner, staff):
    first = (await learner.get("/api/me/pass")).json()
    assert first == (await learner.get("/api/me/pass")).json()
    assert first["url"] == f"http://testserver/#/pass/{first['token']}" and first["svg"].startswith("<svg")
    found = await staff.get(f"/api/users/by-pass/{first['token']}")
    assert found.status_code == 200
    assert found.json()["login"] == "learner1" and found.json()["cohort"] == "VLG-2026"
    rotated = (await learner.post("/api/me/pass/rotate")).json()
    assert rotated["token"] != first["token"]
    assert (await staff.get(f"/api/users/by-pass/{first['token']}")).status_code == 404
    assert (await staff.get(f"/api/users/by-pass/{rotated['token']}")).json()["login"] == "learner1"
    assert (await learner.get("/api/me/pass")).json() == rotated


async def test_pass_lookup_for_the_desk(learner, staff):
    token = (await learner.get("/api/me/pass")).json()["token"]
    me = (await learner.get("/api/me")).json()["id"]
    assert await user_id_for_pass(token) == me
    assert await user_id_for_pass(f"http://testserver/#/pass/{token}") == me, "a scanned pass URL works too"
    assert await user_id_for_pass("") is None and await user_id_for_pass("nope") is None
    assert await user_id_for_pass("x" * 1000) is None
    stored = await db.fetchval("SELECT pass_token_hash FROM app_user WHERE id = $1", me)
    assert stored and token not in stored
    await staff.post(f"/api/users/{me}/deactivate")
    assert await user_id_for_pass(token) is None
    assert (await learner.get("/api/users/by-pass/anything")).status_code in (401, 403)


async def test_pass_follows_a_new_secret_key(learner):
    me = (await learner.get("/api/me")).json()["id"]
    old = await passes.current_pass(secret_key="k" * 40, user_id=me)
    new = await passes.current_pass(secret_key="z" * 40, user_id=me)
    assert old != new
    assert await user_id_for_pass(new) == me and await user_id_for_pass(old) is None
