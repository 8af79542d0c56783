"""The pool under faults (issue 17): a connection killed mid-transaction, a pool exhausted, shutdown."""

import asyncio
import logging
import time

import asyncpg
import pytest

from fablab.platform import db
from fablab.platform.embedded_db import one_line_reason
from fablab.domain.errors import PoolBusy
from fablab.platform.throttled_log import ThrottledLog, ThrottleFilter

pytestmark = pytest.mark.pg_engine


@pytest.fixture
async def small_pool(database_url, pool):
    """A pool of 3 connections with a 1 s acquire timeout in place of the app's, for one test."""
    saved = db.DB.pool
    db.DB.pool = db.PatientPool(await asyncpg.create_pool(database_url, min_size=0, max_size=3), acquire_timeout=1)
    try:
        yield db.DB.pool
    finally:
        if db.DB.pool is not None:
            db.DB.pool.inner.terminate()
        db.DB.pool = saved


async def kill_mid_transaction(killer: asyncpg.Connection) -> None:
    async with db.DB.transaction():
        pid = await db.fetchval("SELECT pg_backend_pid()")
        await killer.execute("SELECT pg_terminate_backend($1)", pid)
        await db.fetchval("SELECT 1")


async def test_a_connection_killed_mid_transaction_gives_its_slot_back(small_pool, database_url):
    killer = await asyncpg.connect(database_url)
    try:
        # Piccolo's own exit leaked one slot each time: the fourth transaction would wait for ever.
        for _ in range(6):
            with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError)):
                await kill_mid_transaction(killer)
    finally:
        await killer.close()
    async with asyncio.timeout(3):
        async with db.DB.transaction():
            assert await db.fetchval("SELECT 1") == 1
    assert db.DB.current_transaction.get() is None
    started = time.monotonic()
    await db.close_pool(timeout=2)
    assert time.monotonic() - started < 1  # nothing left to wait for


async def test_an_exhausted_pool_answers_pool_busy_and_ping_still_answers(small_pool):
    held = [await small_pool.acquire() for _ in range(3)]
    try:
        started = time.monotonic()
        with pytest.raises(PoolBusy) as refused:
            await db.fetch("SELECT 1")
        assert 0.9 < time.monotonic() - started < 2
        assert (refused.value.status, refused.value.code, refused.value.retry_after) == (503, "try_again", 2)
        # Busy is not down: /health's probe has a connection of its own.
        assert await db.ping() is True
    finally:
        for connection in held:
            await small_pool.release(connection)


async def test_closing_the_pool_does_not_wait_for_a_connection_never_released(small_pool):
    await small_pool.acquire()  # and never released, like the leak issue 17 found
    started = time.monotonic()
    await db.close_pool(timeout=1)
    assert time.monotonic() - started < 2
    assert db.DB.pool is None


async def test_ping_says_down_when_nothing_answers(small_pool):
    saved = db.DB.config
    db.DB.config = {**saved, "dsn": "postgresql://postgres@127.0.0.1:1/fablab"}
    try:
        assert await db.ping(timeout=2) is False
    finally:
        db.DB.config = saved


def test_repeated_errors_are_logged_once_per_interval(caplog):
    now = [0.0]
    throttled = ThrottledLog(logging.getLogger("test.throttle"), interval_s=60, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="test.throttle"):
        for second in range(120):
            now[0] = second
            throttled.log(logging.WARNING, ("disk",), "disk full")
            throttled.log(logging.WARNING, ("down",), "database down")
    messages = [record.getMessage() for record in caplog.records]
    assert messages == ["disk full", "database down", "disk full (and 59 more times in the last 60 s)",
                        "database down (and 59 more times in the last 60 s)"]


def test_library_tracebacks_are_throttled_to_one_line_a_minute(caplog):
    now = [0.0]
    logger = logging.getLogger("test.library")
    logger.addFilter(ThrottleFilter(interval_s=60, clock=lambda: now[0]))
    with caplog.at_level(logging.WARNING, logger="test.library"):
        for second in range(90):
            now[0] = second
            try:
                raise ConnectionRefusedError(111, "Connection refused")
            except ConnectionRefusedError:
                logger.warning("Failed to restore the pool connection floor; retrying", exc_info=True)
    assert [r.getMessage() for r in caplog.records] == [
        "Failed to restore the pool connection floor; retrying (ConnectionRefusedError)"] * 2
    assert all(record.exc_info is None for record in caplog.records)


INITDB_ON_A_FULL_DISK = """The files belonging to this database system will be owned by user "embedded_postgres".
This user must also own the server process.

The database cluster will be initialized with locale "C.UTF-8".
The default text search configuration will be set to "english".

creating directory /data/pg ... ok
creating subdirectories ... ok
selecting dynamic shared memory implementation ... posix
selecting default "max_connections" ... 100
running bootstrap script ... 2026-12-01 08:37:21.395 UTC [946] FATAL:  could not write to file "pg_wal/xlogtemp.946": No space left on device
child process exited with exit code 1
initdb: removing contents of data directory "/data/pg"
"""


def test_a_failed_start_is_told_in_the_line_that_names_the_cause():
    assert one_line_reason(INITDB_ON_A_FULL_DISK).endswith('"pg_wal/xlogtemp.946": No space left on device')
    assert one_line_reason("initdb: error: directory \"/x\" exists but is not empty\nIf you want…\n") == \
        'initdb: error: directory "/x" exists but is not empty'
    assert one_line_reason("") == "no output"
