"""The one Piccolo engine, configured at start-up rather than at import, and its pool."""

from __future__ import annotations

import asyncio
import logging
import socket
from contextlib import contextmanager

import asyncpg
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.querystring import QueryString

from fablab.platform import storage
from fablab.domain.errors import PoolBusy
from fablab.platform.throttled_log import ThrottleFilter

log = logging.getLogger("fablab.db")
# asyncpg's pool logs a traceback each time it fails to reconnect its minimum connections.
logging.getLogger("asyncpg.pool").addFilter(ThrottleFilter())

# asyncpg's connect timeout: a request while PostgreSQL is down must fail fast (503), not hang.
CONNECT_TIMEOUT_S = 3.0
# How long a request waits for a free pooled connection before answering 503 try_again. Longer than
# CONNECT_TIMEOUT_S, so that a server that is down is reported as down (a connect error) and not as busy.
ACQUIRE_TIMEOUT_S = 5.0
# Giving a connection back, or closing the pool at exit, never waits longer than this on PostgreSQL.
RELEASE_TIMEOUT_S = 5.0
CLOSE_TIMEOUT_S = 5.0
# /health's own connection: a pool that is busy says nothing about whether PostgreSQL answers. Short,
# so that /health answers within a second or two whatever the network to PostgreSQL does (issue 27).
PING_TIMEOUT_S = 1.5
# Server side, per pooled session: a statement waiting on a lock (a table locked by a migration or a
# maintenance script) or running too long is ended by PostgreSQL, and the request gets 503 try_again
# instead of holding a worker for the whole command timeout (issue 27). Migrations and the CLI do not
# use the pool and keep no such limit.
LOCK_TIMEOUT_S = 4
STATEMENT_TIMEOUT_S = 6
# Client side: a query whose answer never comes (packets dropped on the way, no reset) fails after
# this; longer than the server's timeouts, so that a slow statement is reported as busy, not down.
COMMAND_TIMEOUT_S = 8.0
SESSION_SETTINGS = {"lock_timeout": f"{LOCK_TIMEOUT_S}s", "statement_timeout": f"{STATEMENT_TIMEOUT_S}s"}


class GuardedTransaction(PostgresTransaction):
    """Piccolo's transaction, giving its connection back to the pool whatever happens.

    Piccolo's __aexit__ rolls back and only then releases the connection, without `finally`: when the
    connection died mid-transaction the rollback raises, the connection is never released and the
    pool loses a slot for good (and Pool.close() then waits on it forever, hanging shutdown). Its
    __aenter__ likewise keeps the connection when BEGIN fails.
    """

    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            self.transaction = self.connection.transaction()
            await self.begin()
        except BaseException:
            await self._give_back()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if isinstance(exception, (TimeoutError, OSError)) and self.connection is not None:
                # No answer came (a silent network): a ROLLBACK would wait as long again. Cutting
                # the connection rolls back just as surely, on the server's side.
                self.connection.terminate()
            elif exception is not None:
                if not self._rolled_back:
                    try:
                        await self.rollback()
                    except Exception as error:  # a dead connection fails in many ways (InternalClientError…)
                        # Nothing was committed either way; the first error is the one to report.
                        log.debug("rollback failed after %s: %s", type(exception).__name__, type(error).__name__)
            elif not self._committed and not self._rolled_back:
                # After a write refused for lack of disk space, one that commits says space is back.
                wrote = storage.refused_since_last_write() and await self.connection.fetchval(
                    "SELECT txid_current_if_assigned() IS NOT NULL")
                await self.commit()
                if wrote:
                    storage.note_write_committed()
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back()
        return exception is None

    async def _give_back(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        if self.engine.pool is None:
            connection.terminate()
            return
        try:
            await self.engine.pool.release(connection, timeout=RELEASE_TIMEOUT_S)
        except BaseException:
            # asyncpg terminates a connection it cannot reset, which frees its slot; make sure of it.
            if not connection.is_closed():
                connection.terminate()
            raise


class FablabEngine(PostgresEngine):
    """PostgresEngine that does not connect when it is created.

    Piccolo checks the server version at construction, i.e. at import time, before our
    settings are read; we connect in the app's lifespan instead, with a clear error.
    """

    async def check_version(self) -> None:  # noqa: D102 - see class docstring
        return None

    def transaction(self, allow_nested: bool = True) -> GuardedTransaction:
        return GuardedTransaction(engine=self, allow_nested=allow_nested)


class _Acquisition:
    """pool.acquire()'s result: awaitable, or an `async with` that releases at the end."""

    def __init__(self, pool: "PatientPool", timeout: float) -> None:
        self._pool, self._timeout, self._connection = pool, timeout, None

    def __await__(self):
        return self._pool._acquire(self._timeout).__await__()

    async def __aenter__(self):
        self._connection = await self._pool._acquire(self._timeout)
        return self._connection

    async def __aexit__(self, exception_type, exception, traceback) -> None:
        connection, self._connection = self._connection, None
        if isinstance(exception, OSError) and connection is not None:
            # No answer came (TimeoutError is an OSError): the release would wait for the cancelled
            # query as long again. A cut connection is released at once and replaced.
            connection.terminate()
        await self._pool.release(connection)


class PatientPool:
    """asyncpg's pool, except that waiting for a free connection is bounded (PoolBusy after it).

    Everything else is the asyncpg pool's own; Piccolo and our raw queries use it unawares.
    """

    def __init__(self, pool: asyncpg.Pool, acquire_timeout: float = ACQUIRE_TIMEOUT_S) -> None:
        self.inner, self.acquire_timeout = pool, acquire_timeout

    def acquire(self, *, timeout: float | None = None) -> _Acquisition:
        return _Acquisition(self, timeout or self.acquire_timeout)

    async def _acquire(self, timeout: float) -> asyncpg.Connection:
        try:
            async with asyncio.timeout(timeout) as deadline:
                return await self.inner.acquire()
        except TimeoutError:
            # Our deadline passed: every connection was busy. Any other timeout is a connect timeout.
            if deadline.expired():
                raise PoolBusy(retry_after=2) from None
            raise

    async def release(self, connection, *, timeout: float | None = RELEASE_TIMEOUT_S) -> None:
        await self.inner.release(connection, timeout=timeout)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


# The database's clock as a value in Piccolo writes (the transaction's now(), as the raw SQL used).
NOW = QueryString("now()")

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


# TCP keepalive on pooled connections: an idle one whose network went silent is found dead and
# replaced within about a minute, instead of by the request that meets it; data sent and never
# acknowledged fails the connection after 7 s (TCP_USER_TIMEOUT, Linux), below COMMAND_TIMEOUT_S.
KEEPALIVE_OPTIONS = (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3), ("TCP_USER_TIMEOUT", 7000))


async def bound_socket_waits(connection: asyncpg.Connection) -> None:
    """The pool's `init`: keepalive and a user timeout on the connection's socket, where the OS has them."""
    transport = getattr(connection, "_transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for name, value in KEEPALIVE_OPTIONS:
            if hasattr(socket, name):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
    except (OSError, AttributeError):  # a loop whose sockets take no options: the timeouts still hold
        log.debug("TCP keepalive not set on a database connection")


async def start_pool(min_size: int = 2, max_size: int = 20, acquire_timeout: float = ACQUIRE_TIMEOUT_S) -> None:
    """Open the pool, raising ConnectionError with a one-line reason when the server is unreachable."""
    if DB.pool is not None:
        return
    try:
        pool = await asyncpg.create_pool(
            **DB.config, min_size=min_size, max_size=max_size, command_timeout=COMMAND_TIMEOUT_S,
            max_inactive_connection_lifetime=300, reset=keep_session, server_settings=SESSION_SETTINGS,
            init=bound_socket_waits,
        )
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError) as error:
        raise ConnectionError(f"cannot connect to PostgreSQL: {error or type(error).__name__}") from None
    DB.pool = PatientPool(pool, acquire_timeout)


async def close_pool(timeout: float = CLOSE_TIMEOUT_S) -> None:
    """Close the pool; connections still busy after `timeout` are cut, so shutdown always ends."""
    await _health_probe.close()
    pool, DB.pool = DB.pool, None
    if pool is None:
        return
    inner = pool.inner if isinstance(pool, PatientPool) else pool
    try:
        await asyncio.wait_for(inner.close(), timeout)
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        log.warning("database pool closed by force after %s", type(error).__name__)
        inner.terminate()


class _HealthProbe:
    """One connection of its own per worker for /health, kept open and reopened when it breaks.

    Not a pooled one: a pool whose every connection is busy (slow reports, a held lock) would make a
    healthy server look down. Kept open rather than opened per probe: on a loaded machine starting a
    backend can take longer than a query, which would also look like an outage.
    """

    def __init__(self) -> None:
        self._connection: asyncpg.Connection | None = None
        self._dsn: str | None = None
        self._probe: asyncio.Future | None = None

    async def answers(self, dsn: str, timeout: float) -> bool:
        # Callers at the same moment share one probe: queued behind each other on the one connection,
        # each would wait a timeout of its own, and /health would answer in many seconds (issue 27).
        if self._probe is None or self._probe.done() or self._probe.get_loop() is not asyncio.get_running_loop():
            self._probe = asyncio.ensure_future(self._answers(dsn, timeout))
        return await asyncio.shield(self._probe)

    async def _answers(self, dsn: str, timeout: float) -> bool:
        if dsn != self._dsn:
            await self.close()
            self._dsn = dsn
        try:
            async with asyncio.timeout(timeout):  # one deadline for the retry too
                for _ in range(2):
                    reused = self._connection is not None and not self._connection.is_closed()
                    try:
                        if not reused:
                            self._connection = await asyncpg.connect(dsn, timeout=timeout)
                        await self._connection.fetchval("SELECT 1")
                        return True
                    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError):
                        await self.close()
                        if not reused:
                            return False
                        # A connection from before a restart of PostgreSQL fails once: try a fresh one.
        except TimeoutError:
            await self.close()
        return False

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()


_health_probe = _HealthProbe()


async def ping(timeout: float = PING_TIMEOUT_S) -> bool:
    """True when PostgreSQL answers a trivial query within the timeout (see _HealthProbe)."""
    dsn = DB.config.get("dsn")
    if DB.pool is None or not dsn:
        return False
    return await _health_probe.answers(dsn, timeout)


class Filters:
    """A WHERE clause of optional conditions and their values, numbered $1, $2... as they come:
    `Filters("b.status = 'confirmed'").given(("b.kind = {}", kind))` keeps the kind's condition only
    when a kind was given (not None)."""

    def __init__(self, *always: str) -> None:
        self.conditions, self.args = list(always), []

    def value(self, value) -> str:
        """The placeholder of one more value."""
        self.args.append(value)
        return f"${len(self.args)}"

    def given(self, *conditions: tuple[str, object]) -> "Filters":
        for condition, value in conditions:
            if value is not None:
                self.conditions.append(condition.format(self.value(value)))
        return self

    def where(self) -> str:
        return f"WHERE {' AND '.join(self.conditions)}" if self.conditions else ""


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
