"""Signed-in sessions remembered by each worker, forgotten as soon as PostgreSQL says sessions or
users changed.

Looking the session cookie up costs every request a round trip, a sixth of a booking's cost. So
each worker keeps the sessions it has resolved, and forgets them all when a trigger
(migration 0008) notifies the `fablab_auth` channel: any change to user_session or app_user
(logout, sign-out everywhere, deactivation, role or site change) on any worker. The notification
is sent at commit, so a revoked session is refused everywhere as soon as the revocation is
visible, as when every request asked PostgreSQL.

The cache is only used while this worker's listening connection is up: a lost connection could
mean missed notifications, so it is emptied and bypassed until the connection is back. Entries
also expire after ENTRY_TTL_S, in case a connection dies without the socket saying so.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from datetime import datetime

import asyncpg

CHANNEL = "fablab_auth"
ENTRY_TTL_S = 10.0
MAX_ENTRIES = 10_000
RECONNECT_DELAY_S = 1.0

log = logging.getLogger(__name__)


class SessionCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[object, datetime, float]] = OrderedDict()
        self.live = False  # the listening connection is up: notifications will reach us

    def get(self, token_hash: str, now: datetime):
        """The remembered user for a session, or None (ask PostgreSQL)."""
        if not self.live:
            return None
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        user, expires_at, stored = entry
        if expires_at <= now or time.monotonic() - stored > ENTRY_TTL_S:
            self._entries.pop(token_hash, None)
            return None
        return user

    def put(self, token_hash: str, user: object, expires_at: datetime) -> None:
        if not self.live:
            return
        self._entries[token_hash] = (user, expires_at, time.monotonic())
        self._entries.move_to_end(token_hash)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    def forget_all(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


SESSIONS = SessionCache()


class Listener:
    """Keeps one connection LISTENing on CHANNEL; SESSIONS is live only while it is."""

    def __init__(self, dsn: str, cache: SessionCache = SESSIONS) -> None:
        self.dsn, self.cache = dsn, cache
        self._lost = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="session-cache-listener")

    async def stop(self) -> None:
        self.cache.live = False
        self.cache.forget_all()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        while True:
            try:
                await self._listen_until_lost()
            except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.info("session cache off, no listening connection: %s", type(error).__name__)
            except Exception:  # never let the loop die: the cache just stays off until it connects
                log.exception("session cache listener failed")
            await asyncio.sleep(RECONNECT_DELAY_S)

    async def _listen_until_lost(self) -> None:
        self._lost.clear()
        connection = await asyncpg.connect(self.dsn, timeout=5)
        try:
            connection.add_termination_listener(self._on_lost)
            await connection.add_listener(CHANNEL, self._on_notification)
            # Whatever changed while nobody listened is unknown: start empty.
            self.cache.forget_all()
            self.cache.live = True
            await self._lost.wait()
        finally:  # lost, failed or stopped: off, and the connection closed
            self._on_lost()
            if not connection.is_closed():
                connection.terminate()

    def _on_notification(self, *_: object) -> None:
        self.cache.forget_all()

    def _on_lost(self, *_: object) -> None:
        self.cache.live = False
        self.cache.forget_all()
        self._lost.set()
