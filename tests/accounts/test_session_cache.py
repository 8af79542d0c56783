"""Each worker remembers sessions, and forgets them the moment sessions or users change anywhere."""

import asyncio
from datetime import datetime, timedelta, timezone

import httpx

from fablab.platform import db
from fablab.accounts import session_cache
from fablab.accounts.session_cache import Listener, SessionCache
from tests.support.racing import learners_with_sessions

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)


def live_cache() -> SessionCache:
    cache = SessionCache()
    cache.live = True
    return cache


def test_a_remembered_session_is_served_until_it_expires():
    cache = live_cache()
    cache.put("h", "learner", NOW + timedelta(minutes=5))
    assert cache.get("h", NOW) == "learner"
    assert cache.get("h", NOW + timedelta(minutes=5)) is None
    assert len(cache) == 0


def test_entries_age_out(monkeypatch):
    cache = live_cache()
    cache.put("h", "learner", NOW + timedelta(hours=1))
    monkeypatch.setattr(session_cache.time, "monotonic", lambda: 1e12)
    assert cache.get("h", NOW) is None


def test_nothing_is_remembered_or_served_without_a_listening_connection():
    cache = live_cache()
    cache.put("h", "learner", NOW + timedelta(hours=1))
    cache.live = False
    assert cache.get("h", NOW) is None
    cache.put("k", "staff", NOW + timedelta(hours=1))
    cache.live = True
    assert cache.get("k", NOW) is None


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(session_cache, "MAX_ENTRIES", 3)
    cache = live_cache()
    for n in range(5):
        cache.put(f"h{n}", n, NOW + timedelta(hours=1))
    assert len(cache) == 3 and cache.get("h0", NOW) is None and cache.get("h4", NOW) == 4


async def wait_for(condition, within: float = 5.0) -> bool:
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


async def test_a_change_to_sessions_or_users_empties_the_cache_and_a_lost_connection_turns_it_off(
        database_url, demo):
    cache = SessionCache()
    listener = Listener(database_url, cache)
    await listener.start()
    try:
        assert await wait_for(lambda: cache.live)
        cache.put("h", "learner", datetime.now(timezone.utc) + timedelta(hours=1))
        await db.fetch("UPDATE app_user SET name = name WHERE login = 'learner1'")
        assert await wait_for(lambda: len(cache) == 0)

        cache.put("h", "learner", datetime.now(timezone.utc) + timedelta(hours=1))
        await db.fetch("UPDATE user_session SET revoked_at = now() WHERE false")  # even a no-op statement
        assert await wait_for(lambda: len(cache) == 0)

        cache.put("h", "learner", datetime.now(timezone.utc) + timedelta(hours=1))
        await db.fetch("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND query LIKE 'LISTEN%'")
        assert await wait_for(lambda: not cache.live)
        assert len(cache) == 0
        assert await wait_for(lambda: cache.live)  # and it comes back by itself
    finally:
        await listener.stop()
    assert not cache.live


async def me(client: httpx.AsyncClient) -> int:
    return (await client.get("/api/me")).status_code


async def test_revoked_sessions_are_refused_by_every_worker_at_once(live_server):
    # Sessions revoked straight in PostgreSQL, as another worker's logout would: each of the two
    # workers has served (and remembered) them many times just before.
    tokens = await learners_with_sessions(2)
    revoked, deactivated = (httpx.AsyncClient(base_url=live_server, cookies={"fablab_session": token})
                            for token in tokens)
    async with revoked, deactivated:
        for _ in range(20):
            assert await me(revoked) == 200 and await me(deactivated) == 200
        await db.fetch("UPDATE user_session SET revoked_at = now() WHERE user_id = "
                       "(SELECT id FROM app_user WHERE login = 'load0')")
        await db.fetch("UPDATE app_user SET active = false WHERE login = 'load1'")
        await asyncio.sleep(0.1)  # the notification's trip to the workers
        assert [await me(revoked) for _ in range(20)] == [401] * 20
        assert [await me(deactivated) for _ in range(20)] == [401] * 20
