"""Sign-in that cannot be turned against its owner (issue 26, item 5): device cookies, the address
limit by /64, X-Forwarded-For believed only from named proxies, admins unlock anyone."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from argon2 import PasswordHasher

from fablab.platform import db
from fablab.accounts import throttle
from fablab.seed import DEMO_PASSWORD

SCHOOL = "192.0.2.10"  # one NAT address for a whole classroom
ELSEWHERE = "203.0.113.66"
SECRET = "test-secret-key-that-is-long-enough-0123456789"
DEVICE_COOKIE = "fablab_device"  # accounts.devices.DEVICE_COOKIE, spelled here so the file runs on main too


@pytest.fixture
async def demo(demo):
    """The demo, its passwords hashed with argon2id at the lowest cost: each check still runs the
    real sign-in (argon2 verify, throttle, cookies), in a millisecond instead of tens on a busy machine."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(DEMO_PASSWORD)
    await db.fetch("UPDATE app_user SET password_hash = $1 WHERE password_hash IS NOT NULL", cheap)
    return demo


def client_at(app, address: str) -> httpx.AsyncClient:
    """A browser of its own (its own cookie jar) behind `address`, talking to the in-process app."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _ready(client: httpx.AsyncClient) -> httpx.AsyncClient:
    await client.get("/health")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client


async def _login(client, login: str, password: str):
    return await client.post("/api/auth/login", json={"login": login, "password": password})


async def test_an_attacker_failing_1000_times_never_locks_the_admin_out_of_their_known_browser(app, demo):
    async with client_at(app, SCHOOL) as browser, client_at(app, ELSEWHERE) as attacker:
        await _ready(browser), await _ready(attacker)
        assert (await _login(browser, "admin", DEMO_PASSWORD)).status_code == 200  # yesterday, say
        assert browser.cookies.get(DEVICE_COOKIE), "a right password makes the browser a known one"
        statuses: list[int] = []
        owner: list[int] = []

        async def attack() -> None:
            for n in range(1000):
                statuses.append((await _login(attacker, "admin", f"guess-{n}")).status_code)

        async def sign_in_meanwhile() -> None:
            while len(statuses) < 1000:
                owner.append((await _login(browser, "admin", DEMO_PASSWORD)).status_code)
                await asyncio.sleep(0)

        await asyncio.gather(attack(), sign_in_meanwhile())
        assert statuses[:throttle.FREE_FAILURES] == [401] * throttle.FREE_FAILURES
        # The attacker is slowed down all along (a few more guesses only as each delay runs out).
        assert statuses.count(429) >= 980 and set(statuses) == {401, 429}
        assert len(owner) >= 2 and set(owner) == {200}, owner
        # A client the account has never seen still waits: the right password alone is not enough.
        async with client_at(app, ELSEWHERE) as stranger:
            await _ready(stranger)
            refused = await _login(stranger, "admin", DEMO_PASSWORD)
            assert refused.status_code == 429 and refused.json()["scope"] == "account"


async def test_one_wrong_password_every_15_minutes_no_longer_keeps_the_owner_out(app, demo):
    async with client_at(app, SCHOOL) as phone, client_at(app, ELSEWHERE) as attacker:
        await _ready(phone), await _ready(attacker)
        assert (await _login(phone, "staff.vlg", DEMO_PASSWORD)).status_code == 200
        for n in range(throttle.FREE_FAILURES + 20):
            await db.fetch("UPDATE login_attempt SET at = at - interval '15 minutes'")
            await _login(attacker, "staff.vlg", f"wrong-{n}")
        assert (await _login(attacker, "staff.vlg", DEMO_PASSWORD)).status_code == 429
        assert (await _login(phone, "staff.vlg", DEMO_PASSWORD)).status_code == 200


async def test_a_class_of_30_behind_one_address_signs_in_with_typos_while_someone_guesses(app, demo):
    """9:00, the whole class behind the school's NAT, three typos each; then again the next
    morning, when someone on the same network has run a guessing script past the address limit."""
    phones = [client_at(app, SCHOOL) for _ in range(30)]
    try:
        for n, phone in enumerate(phones, start=1):
            await _ready(phone)
            assert [(await _login(phone, f"learner{n}", f"typo-{t}")).status_code for t in range(3)] == [401] * 3
            assert (await _login(phone, f"learner{n}", DEMO_PASSWORD)).status_code == 200, f"learner{n}"
        # The script, through the throttle's own bookkeeping, until the address is over its limit.
        with pytest.raises(throttle.TooManyAttempts):
            for n in range(throttle.ADDRESS_LIMIT + 1):
                await throttle.reserve(login=f"guess{n}", address=SCHOOL)
        async with client_at(app, SCHOOL) as script:
            await _ready(script)
            blocked = await _login(script, "learner1", DEMO_PASSWORD)
            assert blocked.status_code == 429 and blocked.json()["scope"] == "address"
        for n, phone in enumerate(phones, start=1):
            assert [(await _login(phone, f"learner{n}", f"typo-{t}")).status_code for t in range(3)] == [401] * 3
            assert (await _login(phone, f"learner{n}", DEMO_PASSWORD)).status_code == 200, f"learner{n}"
    finally:
        for phone in phones:
            await phone.aclose()


async def test_a_known_browser_has_its_own_delays(app, demo):
    """A stolen device cookie is worth no more than the account's own ladder of delays."""
    async with client_at(app, SCHOOL) as browser:
        await _ready(browser)
        assert (await _login(browser, "learner1", DEMO_PASSWORD)).status_code == 200
        statuses = [(await _login(browser, "learner1", f"wrong-{n}")).status_code
                    for n in range(throttle.FREE_FAILURES + 2)]
        assert statuses == [401] * throttle.FREE_FAILURES + [429] * 2
        # Its failures are its own: the account and the address are untouched.
        assert await throttle.account_wait("learner1") == 0
        assert await db.fetchval("SELECT count(*) FROM login_attempt WHERE key LIKE 'addr:%'") == 0
        learner = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
        async with client_at(app, ELSEWHERE) as desk:
            await _ready(desk)
            assert (await _login(desk, "staff.vlg", DEMO_PASSWORD)).status_code == 200
            assert (await desk.post(f"/api/users/{learner}/unlock")).status_code == 200
        assert (await _login(browser, "learner1", DEMO_PASSWORD)).status_code == 200, "unlock forgets devices too"


async def test_a_device_cookie_proves_one_account_only(app, demo):
    async with client_at(app, SCHOOL) as browser, client_at(app, ELSEWHERE) as attacker:
        await _ready(browser), await _ready(attacker)
        assert (await _login(browser, "learner1", DEMO_PASSWORD)).status_code == 200
        for n in range(throttle.FREE_FAILURES + 1):
            await _login(attacker, "learner2", f"wrong-{n}")
        # learner1's cookie does not make this browser a known one for learner2 ...
        assert (await _login(browser, "learner2", DEMO_PASSWORD)).status_code == 429
        # ... nor does a forged or copied one, in whatever shape.
        for forged in ("x" * 22 + "." + "y" * 43, browser.cookies[DEVICE_COOKIE] + "~junk", "~" * 5000, ""):
            attacker.cookies.set(DEVICE_COOKIE, forged, path="/api/auth/login")
            assert (await _login(attacker, "learner2", DEMO_PASSWORD)).status_code == 429


def test_device_cookie_holds_a_few_accounts_and_each_proves_its_own():
    from fablab.accounts import devices

    cookie = None
    for login in ("learner1", "learner2", "admin"):
        cookie = devices.remember(SECRET, cookie, login)
    assert all(devices.known_device(SECRET, cookie, login) for login in ("learner1", "learner2", "admin"))
    assert devices.known_device(SECRET, cookie, "learner3") is None
    assert devices.known_device("another-secret-key-0123456789-0123456789", cookie, "admin") is None
    again = devices.remember(SECRET, cookie, "learner1")
    assert len(again.split("~")) == 3 and devices.known_device(SECRET, again, "learner1") != \
        devices.known_device(SECRET, cookie, "learner1"), "a new nonce after each right password"
    for login in ("a1", "a2", "a3", "a4", "a5"):
        cookie = devices.remember(SECRET, cookie, login)
    assert len(cookie.split("~")) == devices.MAX_ENTRIES


async def test_admins_unlock_any_account(anon, admin, staff):
    for login in ("staff.pfs", "learner12"):
        for n in range(throttle.FREE_FAILURES + 1):
            await _login(anon, login, f"wrong-{n}")
        assert (await _login(anon, login, DEMO_PASSWORD)).status_code == 429
        user_id = await db.fetchval("SELECT id FROM app_user WHERE login = $1", login)
        unlocked = await admin.post(f"/api/users/{user_id}/unlock")
        assert unlocked.status_code == 200 and unlocked.json()["login_wait_seconds"] == 0
        assert (await _login(anon, login, DEMO_PASSWORD)).status_code == 200
    staff_pfs = await db.fetchval("SELECT id FROM app_user WHERE login = 'staff.pfs'")
    assert (await staff.post(f"/api/users/{staff_pfs}/unlock")).status_code == 404, "staff unlock learners only"


@pytest.mark.parametrize(("address", "counted_as"), [
    ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
    ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
    ("2001:DB8:1:2:0:0:0:FFFF", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.10", "192.0.2.10"),
    ("192.0.2.10", "192.0.2.10"),
    ("unknown", "unknown"),
])
def test_the_address_limit_counts_ipv6_by_its_64(address, counted_as):
    assert throttle.network(address) == counted_as


async def test_a_client_rotating_through_its_ipv6_64_hits_the_address_limit(demo, monkeypatch):
    monkeypatch.setattr(throttle, "ADDRESS_LIMIT", 5)
    for n in range(5):
        await throttle.reserve(login=f"nobody{n}", address=f"2001:db8:7:7::{n + 1:x}")
    with pytest.raises(throttle.TooManyAttempts):
        await throttle.reserve(login="learner1", address="2001:db8:7:7:ffff::9")
    assert await throttle.reserve(login="learner1", address="2001:db8:7:8::1"), "the next /64 is someone else"


def test_forwarded_for_is_believed_from_no_proxy_unless_named(monkeypatch):
    from fablab.cli import trusted_proxies

    monkeypatch.delenv("FABLAB_TRUSTED_PROXIES", raising=False)
    assert trusted_proxies() == "", "none by default, not even 127.0.0.1"
    monkeypatch.setenv("FABLAB_TRUSTED_PROXIES", " 127.0.0.1, 10.0.0.0/8 ,")
    assert trusted_proxies() == "127.0.0.1,10.0.0.0/8"
