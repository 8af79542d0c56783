"""Login throttling shared by every worker: failures per account and per client address, in PostgreSQL.

Each attempt first *reserves* a failure row for both keys, under an advisory lock per key, and
only a successful login takes its reservation back. So concurrent guesses on several workers
cannot slip past the limit between a count and an insert. Refused (429) attempts are not
recorded, so a blocked attacker cannot push the unblocking time further away.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

from fablab import db
from fablab.db import DB
from fablab.errors import TooManyAttempts

WINDOW = timedelta(minutes=15)
# Guesses at one account; a learner mistyping on a phone stays well below it.
ACCOUNT_LIMIT = 10
# A whole classroom may share one public address (NAT), so the address gets more room; it
# stops one client from guessing its way through many accounts.
ADDRESS_LIMIT = 50
# Rows older than this are swept by the periodic job; nothing reads them.
KEEP = timedelta(days=1)


def account_key(login: str) -> str:
    return "login:" + login.strip().lower()


def address_key(address: str) -> str:
    return "addr:" + address


async def _retry_after(key: str, limit: int, now: datetime) -> int:
    # When the limit-th newest failure leaves the window, the key is below its limit again.
    at = await db.fetchval(
        "SELECT at FROM login_attempt WHERE key = $1 AND at > $2 ORDER BY at DESC OFFSET $3 LIMIT 1",
        key, now - WINDOW, limit - 1,
    )
    if at is None:
        return 1
    return max(1, math.ceil((at + WINDOW - now).total_seconds()))


async def reserve(*, login: str, address: str, now: datetime | None = None) -> list[int]:
    """Record a failure for the account and the address, or raise TooManyAttempts; returns row ids."""
    now = now or datetime.now(timezone.utc)
    limits = {account_key(login): ACCOUNT_LIMIT, address_key(address): ADDRESS_LIMIT}
    async with DB.transaction():
        for key in sorted(limits):  # one lock order everywhere: no deadlock between workers
            await db.fetch("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)
        for key, limit in limits.items():
            failures = await db.fetchval(
                "SELECT count(*) FROM login_attempt WHERE key = $1 AND at > $2", key, now - WINDOW)
            if failures >= limit:
                raise TooManyAttempts(
                    "Too many failed logins; wait before trying again.",
                    retry_after=await _retry_after(key, limit, now),
                )
        rows = await db.fetch(
            "INSERT INTO login_attempt (key, at) SELECT unnest($1::text[]), $2 RETURNING id",
            list(limits), now,
        )
    return [row["id"] for row in rows]


async def succeeded(*, login: str, reserved: list[int]) -> None:
    """A right password: take back this attempt's reservation and forget the account's failures."""
    await db.fetch(
        "DELETE FROM login_attempt WHERE id = ANY($1::bigint[]) OR key = $2", reserved, account_key(login))


async def sweep(now: datetime | None = None) -> int:
    now = now or datetime.now(timezone.utc)
    rows = await db.fetch("DELETE FROM login_attempt WHERE at < $1 RETURNING id", now - KEEP)
    return len(rows)
