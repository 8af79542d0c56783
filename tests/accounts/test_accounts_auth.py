"""Sign-in security: throttling across workers, CSRF, password hashes, nothing secret leaks."""

from __future__ import annotations

import logging

import httpx
import pytest

from fablab.platform import db
from fablab.accounts import throttle
from fablab.seed import DEMO_PASSWORD
from tests.support.clients import make_client, running_server


async def _login(client, login: str, password: str, **headers):
    return await client.post("/api/auth/login", json={"login": login, "password": password}, headers=headers)


async def test_wrong_passwords_slow_the_account_down_even_with_forged_forwarded_for(anon):
    statuses = []
    for n in range(throttle.FREE_FAILURES + 3):
        response = await _login(anon, "learner1", f"wrong-{n}", **{"X-Forwarded-For": f"203.0.113.{n}"})
        statuses.append(response.status_code)
    assert statuses == [401] * throttle.FREE_FAILURES + [429] * 3
    refused = await _login(anon, "learner1", DEMO_PASSWORD)
    assert refused.status_code == 429, "during the delay even the right password waits"
    body = refused.json()
    assert body["code"] == "too_many_attempts" and body["scope"] == "account"
    assert 0 < int(refused.headers["retry-after"]) <= throttle.FIRST_DELAY.total_seconds()
    # The same address may still sign in to another account.
    assert (await _login(anon, "learner2", DEMO_PASSWORD)).status_code == 200


async def test_the_delay_grows_but_the_owner_is_never_locked_for_long(anon):
    assert [throttle.delay_after(n).total_seconds() for n in range(4, 10)] == [0, 10, 20, 40, 80, 160]
    assert throttle.delay_after(10_000) == throttle.MAX_DELAY
    for n in range(throttle.FREE_FAILURES + 4):
        await db.fetch("UPDATE login_attempt SET at = at - interval '1 hour'")  # as if slowly, over time
        assert (await _login(anon, "learner1", f"wrong-{n}")).status_code == 401
    response = await _login(anon, "learner1", DEMO_PASSWORD)
    assert response.status_code == 429 and int(response.headers["retry-after"]) <= 160
    await db.fetch("UPDATE login_attempt SET at = at - interval '161 seconds'")
    assert (await _login(anon, "learner1", DEMO_PASSWORD)).status_code == 200, "the owner gets in after the delay"


async def test_a_class_of_30_behind_one_address_signs_in_with_typos(anon):
    """9:00, one NAT address for the whole classroom, each learner mistyping three times."""
    for n in range(1, 31):
        for typo in range(3):
            assert (await _login(anon, f"learner{n}", f"typo-{typo}")).status_code == 401
        assert (await _login(anon, f"learner{n}", DEMO_PASSWORD)).status_code == 200, f"learner{n}"


async def test_address_limit_holds_whatever_the_forwarded_for_and_logins(anon, monkeypatch):
    monkeypatch.setattr(throttle, "ADDRESS_LIMIT", 5)
    for n in range(5):
        response = await _login(anon, f"nobody{n}", "wrong-password", **{"X-Forwarded-For": f"198.51.100.{n}"})
        assert response.status_code == 401
    blocked = await _login(anon, "learner3", DEMO_PASSWORD, **{"X-Forwarded-For": "198.51.100.99"})
    assert blocked.status_code == 429 and "retry-after" in blocked.headers
    assert blocked.json()["scope"] == "address"


async def test_success_forgets_the_accounts_failures(anon):
    for _ in range(throttle.FREE_FAILURES):
        assert (await _login(anon, "learner1", "wrong-password")).status_code == 401
    await db.fetch("UPDATE login_attempt SET at = at - interval '1 minute'")
    assert (await _login(anon, "learner1", DEMO_PASSWORD)).status_code == 200
    assert await db.fetchval("SELECT count(*) FROM login_attempt WHERE key = 'login:learner1'") == 0
    # ...but not the address's: a success must not launder an attacker's other guesses.
    assert await db.fetchval("SELECT count(*) FROM login_attempt WHERE key LIKE 'addr:%'") == throttle.FREE_FAILURES


async def test_login_spellings_share_one_count(anon):
    spellings = ["Learner1", "LEARNER1 ", "ｌｅａｒｎｅｒ１", " learner1"]
    for n in range(throttle.FREE_FAILURES):
        assert (await _login(anon, spellings[n % len(spellings)], "wrong-password")).status_code == 401
    assert (await _login(anon, "learner1", DEMO_PASSWORD)).status_code == 429
    assert await db.fetchval("SELECT count(DISTINCT key) FROM login_attempt WHERE key LIKE 'login:%'") == 1


async def test_dotted_capital_i_is_never_a_new_bucket_for_a_real_account(anon, staff):
    """`İRİS.MİMİ` folds to a login no account can have: its guesses cannot reach iris.mimi."""
    created = await staff.post("/api/users", json={"name": "Iris Mimi", "login": "iris.mimi"})
    assert created.status_code == 201, created.text
    await db.fetch("UPDATE app_user SET password_hash = (SELECT password_hash FROM app_user WHERE login = 'admin'), "
                   "active = true WHERE login = 'iris.mimi'")
    for spelling in ("İRİS.MİMİ", "iris.mİmi", "İris.mimi"):
        response = await _login(anon, spelling, DEMO_PASSWORD)
        assert response.status_code == 401, f"{spelling} is not iris.mimi, even with her password"
    assert await db.fetchval("SELECT count(*) FROM login_attempt WHERE key = 'login:iris.mimi'") == 0
    assert (await _login(anon, "IRIS.MIMI", DEMO_PASSWORD)).status_code == 200
    assert (await _login(anon, "admİn", DEMO_PASSWORD)).status_code == 401, "admİn is not admin"
    assert (await _login(anon, "admin", DEMO_PASSWORD)).status_code == 200


async def test_staff_unlock_an_account_at_the_desk(anon, staff, admin):
    for n in range(throttle.FREE_FAILURES + 1):
        await _login(anon, "learner1", f"wrong-{n}")
    assert (await _login(anon, "learner1", DEMO_PASSWORD)).status_code == 429
    learner = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    shown = (await staff.get(f"/api/users/{learner}")).json()
    assert 0 < shown["login_wait_seconds"] <= throttle.delay_after(throttle.FREE_FAILURES + 1).total_seconds()
    unlocked = await staff.post(f"/api/users/{learner}/unlock")
    assert unlocked.status_code == 200 and unlocked.json()["login_wait_seconds"] == 0
    assert (await _login(anon, "learner1", DEMO_PASSWORD)).status_code == 200


async def test_only_staff_of_the_learners_site_unlock(staff, learner, admin):
    other_site = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner12'")  # Pierrefitte
    assert (await staff.post(f"/api/users/{other_site}/unlock")).json()["code"] == "not_your_site"
    me = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    assert (await learner.post(f"/api/users/{me}/unlock")).status_code == 403
    assert (await admin.post(f"/api/users/{other_site}/unlock")).status_code == 200
    staff_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'staff.pfs'")
    assert (await staff.post(f"/api/users/{staff_id}/unlock")).status_code == 404, "staff see learners only"


async def test_old_failures_leave_the_window(anon):
    for _ in range(throttle.FREE_FAILURES + 1):
        await _login(anon, "learner1", "wrong-password")
    assert (await _login(anon, "learner1", DEMO_PASSWORD)).status_code == 429
    await db.fetch("UPDATE login_attempt SET at = at - interval '25 hours'")
    assert (await _login(anon, "learner1", DEMO_PASSWORD)).status_code == 200
    await db.fetch("UPDATE login_attempt SET at = at - interval '2 days'")
    assert await throttle.sweep() > 0
    assert await db.fetchval("SELECT count(*) FROM login_attempt") == 0


@pytest.mark.server
def test_throttling_holds_across_worker_processes(live_server):
    """Two uvicorn workers, each request a new connection: the count lives in PostgreSQL."""
    statuses = []
    for n in range(12):
        with httpx.Client(base_url=live_server) as client:
            client.get("/health")
            response = client.post(
                "/api/auth/login", json={"login": "learner4", "password": f"wrong-{n}"},
                headers={"x-csrftoken": client.cookies["csrftoken"], "X-Forwarded-For": f"192.0.2.{n}"},
            )
            statuses.append(response.status_code)
    assert statuses == [401] * throttle.FREE_FAILURES + [429] * (12 - throttle.FREE_FAILURES), statuses
    with httpx.Client(base_url=live_server) as client:
        client.get("/health")
        ok = client.post("/api/auth/login", json={"login": "learner5", "password": DEMO_PASSWORD},
                         headers={"x-csrftoken": client.cookies["csrftoken"]})
        assert ok.status_code == 200


@pytest.mark.server
async def test_forged_forwarded_for_does_not_reset_the_address_count(database_url, demo):
    """uvicorn trusts X-Forwarded-For only from FABLAB_TRUSTED_PROXIES; here the test client is not one.

    The loopback address starts FORGED short of its limit (rows written here rather than 197 wrong
    passwords of ~0.2 s of argon2 each): the forged headers' failures must fill it."""
    forged = 3
    await db.fetch("INSERT INTO login_attempt (key, at) SELECT $1, now() FROM generate_series(1, $2)",
                   throttle.address_key("127.0.0.1"), throttle.ADDRESS_LIMIT - forged)
    with running_server(database_url, FABLAB_TRUSTED_PROXIES="192.0.2.254") as (base, _), \
            httpx.Client(base_url=base) as client:
        client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        statuses = [
            client.post("/api/auth/login", json={"login": f"ghost{n}", "password": "wrong-password"},
                        headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
            for n in range(forged + 1)
        ]
        assert statuses == [401] * forged + [429]
        over = client.post("/api/auth/login", json={"login": "learner6", "password": DEMO_PASSWORD},
                           headers={"X-Forwarded-For": "203.0.113.200"})
        assert over.status_code == 429, "the address itself is over its limit"


async def test_unsafe_request_without_csrf_header_is_refused(learner):
    token = learner.headers.pop("x-csrftoken")
    response = await learner.post("/api/me/pass/rotate")
    assert response.status_code == 403
    assert (await learner.post("/api/auth/logout", headers={"x-csrftoken": "forged"})).status_code == 403
    assert (await learner.get("/api/me")).status_code == 200, "still signed in: nothing happened"
    assert (await learner.post("/api/auth/logout", headers={"x-csrftoken": token})).status_code == 204


async def test_session_cookie_flags(anon):
    response = await _login(anon, "learner1", DEMO_PASSWORD)
    cookie = response.headers["set-cookie"].lower()
    assert "fablab_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert DEMO_PASSWORD not in response.text and "password" not in response.json()


async def test_extra_fields_in_login_are_refused(anon):
    response = await anon.post("/api/auth/login",
                               json={"login": "learner1", "password": DEMO_PASSWORD, "role": "admin"})
    assert response.status_code == 400
    assert "fablab_session" not in response.headers.get("set-cookie", "")


async def test_password_hashes_are_argon2id_and_never_returned(staff, anon, caplog):
    caplog.set_level(logging.DEBUG)
    created = (await staff.post("/api/users", json={"name": "Zoé Test", "login": "zoe.test"})).json()
    secret = "zoe-very-secret-42"
    token = created["invite"]["token"]
    accepted = await anon.post(f"/api/invites/{token}/accept", json={"password": secret})
    assert accepted.status_code == 200
    await _login(anon, "zoe.test", secret + "-wrong")
    signed_in = await _login(anon, "zoe.test", secret)
    assert signed_in.status_code == 200
    stored = await db.fetchval("SELECT password_hash FROM app_user WHERE login = 'zoe.test'")
    assert stored.startswith("$argon2id$")
    assert all(row["h"].startswith("$argon2id$") for row in await db.fetch(
        "SELECT password_hash AS h FROM app_user WHERE password_hash IS NOT NULL"))
    responses = [accepted, signed_in, await anon.get("/api/me"), await anon.get("/api/me/data"),
                 await staff.get(f"/api/users/{created['user']['id']}"), await staff.get("/api/users?q=zoe"),
                 await staff.get("/api/users/export.csv")]
    for response in responses:
        assert secret not in response.text and "argon2" not in response.text
        assert "password_hash" not in response.text
    # The server's log records, not the test client's own (httpx logs the URLs it requests).
    server_log = "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith("httpx"))
    assert secret not in server_log and "argon2" not in server_log and token not in server_log


async def test_validation_errors_do_not_echo_the_password(anon):
    response = await anon.post("/api/auth/login", json={"login": "learner1", "password": "x" * 2000})
    assert response.status_code == 400
    assert "xxxxxxxx" not in response.text


@pytest.mark.parametrize("login", ["", "   ", "x" * 300])
async def test_odd_logins_are_client_errors(anon, login):
    response = await _login(anon, login, "whatever-password")
    assert response.status_code in (400, 401)


async def test_logout_ends_the_session_on_the_server(app, learner):
    session_cookie = learner.cookies["fablab_session"]
    assert (await learner.post("/api/auth/logout")).status_code == 204
    async with make_client(app) as replay:
        replay.cookies.set("fablab_session", session_cookie)
        assert (await replay.get("/api/me")).status_code == 401


async def test_signing_in_again_ends_the_previous_session(app, learner):
    old_cookie = learner.cookies["fablab_session"]
    assert (await _login(learner, "learner2", DEMO_PASSWORD)).status_code == 200
    assert (await learner.get("/api/me")).json()["login"] == "learner2"
    async with make_client(app) as replay:
        replay.cookies.set("fablab_session", old_cookie)
        assert (await replay.get("/api/me")).status_code == 401
