"""No double booking under load: the real server with 2 worker processes, 50 clients at once."""

import asyncio
from collections import Counter
from datetime import datetime, time, timedelta, timezone

import asyncpg
import httpx
import pytest

from fablab.platform import db
from fablab.invariants import audit_invariants
from fablab.domain.tokens import hash_token, new_token
from tests.support.bookings import DAY, PARIS
from tests.support.racing import CLIENTS, learners_with_sessions, moment, overlapping_active_pairs, race, signed_in_clients

pytestmark = pytest.mark.pg_engine



async def test_fifty_clients_one_unit_one_slot(live_server):
    clients = await signed_in_clients(live_server, await learners_with_sessions(CLIENTS))
    responses = await race(clients, {"resource": "VLG-ROOM-001", "starts_at": moment(10), "ends_at": moment(11)})

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: CLIENTS - 1}, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"booking_conflict"}
    assert await db.fetchval("SELECT count(*) FROM booking") == 1
    assert await overlapping_active_pairs() == 0
    assert all(result.holds for result in await audit_invariants())


async def test_fifty_clients_book_by_kind_twelve_laptops(live_server):
    clients = await signed_in_clients(live_server, await learners_with_sessions(CLIENTS))
    responses = await race(clients, {"site": "vlg", "kind": "laptop", "starts_at": moment(9), "ends_at": moment(18)})

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 12, 409: CLIENTS - 12}, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"booking_conflict"}
    units = [r.json()["resource"] for r in responses if r.status_code == 201]
    assert sorted(units) == [f"VLG-LAP-{n:03d}" for n in range(1, 13)]
    rows = await db.fetch("SELECT resource_id, user_id FROM booking WHERE status = 'confirmed'")
    assert len({row["resource_id"] for row in rows}) == 12 and len({row["user_id"] for row in rows}) == 12
    assert await overlapping_active_pairs() == 0
    assert all(result.holds for result in await audit_invariants())


def test_day_is_an_ordinary_future_weekday():
    # The races above must not be refused for a rule instead of losing on the constraint.
    assert DAY.weekday() < 5 and DAY > datetime.now(timezone.utc).astimezone(PARIS).date() + timedelta(days=1)


async def test_one_learner_racing_ten_bookings_stays_within_the_quota(live_server):
    # Rooms allow 3 active bookings each learner. Ten requests at once for ten different slots, on
    # 2 workers: the booker's row lock serialises them, and each reads the learner's bookings
    # after the lock is granted (a state read in the same statement as the lock would miss the
    # ones committed while it waited).
    [token] = await learners_with_sessions(1)
    clients = await signed_in_clients(live_server, [token] * 10)
    start = asyncio.Event()

    async def one(client, hour):
        await start.wait()
        return await client.post("/api/bookings", json={"resource": "VLG-ROOM-00" + str(1 + hour % 3),
                                                        "starts_at": moment(8 + hour), "ends_at": moment(9 + hour)})

    tasks = [asyncio.create_task(one(client, 1 + n % 9)) for n, client in enumerate(clients)]
    await asyncio.sleep(0.05)
    start.set()
    try:
        responses = await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    codes = Counter(r.json().get("code", r.status_code) for r in responses)
    assert codes[201] == 3, codes
    assert await db.fetchval("SELECT count(*) FROM booking WHERE status = 'confirmed'") == 3


async def test_a_booking_waits_for_a_series_being_written_on_its_unit(database_url, demo):
    # A series inserts its occurrences one by one in one transaction; an overlapping booking of one
    # of its units must queue behind it (unit lock), not insert and wait inside the exclusion check.
    from fablab.bookings.create import INSERT_BOOKING
    from fablab.bookings.occurrences import INSERT_OCCURRENCE

    unit = await db.fetchone("SELECT id, site_id FROM resource WHERE tag = 'VLG-ROOM-001'")
    user_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    start = datetime.combine(DAY, time(10), PARIS)
    end = start + timedelta(hours=1)
    now = datetime.now(timezone.utc)
    series, single = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        await series.execute("BEGIN")
        # The series row as series.queries.insert_series writes it (with Piccolo, which needs the pool).
        series_id = await series.fetchval(
            "INSERT INTO booking_series (site_id, kind, resource_id, quantity, user_id, created_by_id, purpose, rule) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) RETURNING id",
            unit["site_id"], "room", unit["id"], 1, user_id, user_id, "", "{}")
        await series.fetchval(INSERT_OCCURRENCE, unit["id"], unit["site_id"], "room", user_id, user_id, start, end,
                              end, "", series_id, DAY, True)
        await single.execute("BEGIN")
        waiting = asyncio.create_task(single.fetch(
            INSERT_BOOKING, unit["id"], unit["site_id"], "room", user_id, user_id, start, end, end, "",
            now, now, now, None, None, None, False, True))
        assert await lock_awaited(single.get_server_pid()) == "advisory"
        await series.execute("COMMIT")
        with pytest.raises(asyncpg.ExclusionViolationError):
            await waiting
        await single.execute("ROLLBACK")
    finally:
        await series.close()
        await single.close()


async def lock_awaited(pid: int) -> str | None:
    """The type of lock a backend is waiting for, once it waits (None if it never does)."""
    for _ in range(250):
        lock = await db.fetchval("SELECT locktype FROM pg_locks WHERE pid = $1 AND NOT granted", pid)
        if lock is not None:
            return lock
        await asyncio.sleep(0.02)
    return None


async def test_a_second_booking_of_a_unit_waits_for_the_first_before_inserting(database_url, demo):
    # Two overlapping INSERTs in flight at once could each see the other's row in the exclusion
    # check and wait for each other: a deadlock, one of them failed after a second (503). The
    # second must wait before writing anything, on the unit's lock, then lose cleanly.
    from fablab.bookings.create import INSERT_BOOKING

    unit = await db.fetchone("SELECT id, site_id FROM resource WHERE tag = 'VLG-ROOM-001'")
    user_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    start = datetime.combine(DAY, time(10), PARIS)
    now = datetime.now(timezone.utc)
    args = (unit["id"], unit["site_id"], "room", user_id, user_id, start, start + timedelta(hours=1),
            start + timedelta(hours=1), "", now, now, now, None, None, None, False, True)
    first, second = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        await first.execute("BEGIN")
        await first.fetch(INSERT_BOOKING, *args)
        await second.execute("BEGIN")
        waiting = asyncio.create_task(second.fetch(INSERT_BOOKING, *args))
        assert await lock_awaited(second.get_server_pid()) == "advisory"
        await first.execute("COMMIT")
        with pytest.raises(asyncpg.ExclusionViolationError):
            await waiting
        await second.execute("ROLLBACK")
    finally:
        await first.close()
        await second.close()
    assert await db.fetchval("SELECT count(*) FROM booking") == 1
