"""The one Piccolo engine, configured at start-up rather than at import, and its pool."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager

import asyncpg
from piccolo.engine.postgres import PostgresEngine

# asyncpg's connect timeout: a request while PostgreSQL is down must fail fast (503), not hang.
CONNECT_TIMEOUT_S = 3.0


class FablabEngine(PostgresEngine):
    """PostgresEngine that does not connect when it is created.

    Piccolo checks the server version at construction, i.e. at import time, before our
    settings are read; we connect in the app's lifespan instead, with a clear error.
    """

    async def check_version(self) -> None:  # noqa: D102 - see class docstring
        return None


DB = FablabEngine(config={"dsn": "postgresql://unconfigured/fablab"})


def configure(database_url: str) -> None:
    DB.config = {"dsn": database_url, "timeout": CONNECT_TIMEOUT_S}


@contextmanager
def detached(database_url: str):
    """Point Piccolo at another database for a while (migrations), leaving the app's pool intact.

    Piccolo sends queries to the pool when one is running, whatever its config says, so the
    pool is set aside and restored afterwards.
    """
    saved_config, saved_pool = DB.config, DB.pool
    DB.config, DB.pool = {"dsn": database_url, "timeout": CONNECT_TIMEOUT_S}, None
    try:
        yield
    finally:
        DB.config, DB.pool = saved_config, saved_pool


async def keep_session(connection: asyncpg.Connection) -> None:
    """What the pool does to a released connection, instead of asyncpg's default reset.

    The default sends "SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL" on every
    release: with a pool acquired per query, that doubles the round trips of every request. This
    app leaves no session state behind (no SET, LISTEN or cursor; the periodic jobs release their
    advisory lock themselves), so there is nothing to reset. The pool still rolls back a transaction
    left open before calling this.
    """


async def start_pool(min_size: int = 2, max_size: int = 20) -> None:
    """Open the pool, raising ConnectionError with a one-line reason when the server is unreachable."""
    try:
        await DB.start_connection_pool(
            min_size=min_size, max_size=max_size, command_timeout=30,
            max_inactive_connection_lifetime=300, reset=keep_session,
        )
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError) as error:
        raise ConnectionError(f"cannot connect to PostgreSQL: {error or type(error).__name__}") from None


async def close_pool() -> None:
    if DB.pool is not None:
        await DB.close_connection_pool()


async def ping(timeout: float = 2.0) -> bool:
    """True when PostgreSQL answers a trivial query within the timeout."""
    if DB.pool is None:
        return False
    try:
        async with asyncio.timeout(timeout):
            async with DB.pool.acquire() as connection:
                await connection.fetchval("SELECT 1")
        return True
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return False


async def fetch(sql: str, *args) -> list[dict]:
    """Run raw SQL in the current Piccolo transaction if there is one, else on a pooled connection."""
    transaction = DB.current_transaction.get()
    if transaction is not None:
        rows = await transaction.connection.fetch(sql, *args)
    else:
        if DB.pool is None:
            raise ConnectionError("the database pool is not started")
        async with DB.pool.acquire() as connection:
            rows = await connection.fetch(sql, *args)
    return [dict(row) for row in rows]


async def fetchone(sql: str, *args) -> dict | None:
    rows = await fetch(sql, *args)
    return rows[0] if rows else None


async def fetchval(sql: str, *args):
    row = await fetchone(sql, *args)
    return next(iter(row.values())) if row else None
