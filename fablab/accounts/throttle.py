"""Login throttling shared by every worker: failures per account and per client address, in PostgreSQL.

Each attempt first *reserves* a failure row for both keys, under an advisory lock per key, and
only a successful login takes its reservation back. So concurrent guesses on several workers
cannot slip past the rules between a count and an insert. Refused (429) attempts are not
recorded, so a blocked attacker cannot push the unblocking time further away.

An account is never locked (10 wrong passwords used to lock its owner out for 15 minutes, a
weapon against anyone): after a few free failures, each one makes the next attempt wait twice as
long, up to MAX_DELAY; a right password forgets them all, and staff can clear them at the desk
(unlock). An address is refused only past ADDRESS_LIMIT failures in WINDOW: a class of 30 behind
one NAT address, each with a few typos, stays well below it. IPv6 addresses count by their /64
(one home or phone gets a whole /64: counting single addresses would let it rotate freely).

Issue 26: one wrong password every 15 minutes kept any account waiting for ever, admin
included. A browser that signed in to the account before shows a device cookie (accounts.devices)
and is judged on its own bucket, `device:{login}:{nonce}`, with the same delays: strangers'
failures on the account and on the address never reach it, so an attacker cannot lock the owner
out. Its own failures are not counted on the address either (a class's known phones mistyping).
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime, timedelta

from fablab.domain import clock
from fablab.platform import db
from fablab.accounts import queries
from fablab.accounts.logins import fold
from fablab.platform.db import DB
from fablab.domain.errors import TooManyAttempts
from fablab.tables import LoginAttempt

# Failures at one account that cost nothing: a learner mistyping on a phone.
FREE_FAILURES = 5
# After the free ones: 10 s, 20 s, 40 s... up to 15 minutes between two attempts.
FIRST_DELAY = timedelta(seconds=10)
MAX_DELAY = timedelta(minutes=15)
# How long an account's failures count towards its delay (unless a success clears them first).
ACCOUNT_WINDOW = timedelta(hours=24)
# The address limit: 30 learners x 6 typos fit; one client guessing through many accounts does not.
WINDOW = timedelta(minutes=15)
ADDRESS_LIMIT = 200
# Rows older than this are swept by the periodic job; nothing reads them.
KEEP = timedelta(days=1)


def account_key(login: str) -> str:
    return "login:" + fold(login)


def network(address: str) -> str:
    """What the address limit counts: the address itself for IPv4, its /64 for IPv6."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address  # "unknown", a test client's name: counted as it is
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def address_key(address: str) -> str:
    return "addr:" + network(address)


def device_key(login: str, nonce: str) -> str:
    return f"device:{fold(login)}:{nonce}"


def delay_after(failures: int) -> timedelta:
    """How long after its latest failure an account with this many failures waits."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 20)  # 2**20 x 10 s is far past MAX_DELAY already
    return min(FIRST_DELAY * 2 ** doublings, MAX_DELAY)


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


async def _address_retry_after(key: str, now: datetime) -> int:
    # When the limit-th newest failure leaves the window, the address is below its limit again.
    at = await db.fetchval(queries.NTH_LATEST_ATTEMPT, key, now - WINDOW, ADDRESS_LIMIT - 1)
    return 1 if at is None else _seconds(at + WINDOW - now)


def _wait_for(now: datetime, state: dict) -> None:
    """Raises TooManyAttempts while a bucket's latest failure is within its delay."""
    if state["failures"]:
        wait = state["latest"] + delay_after(state["failures"]) - now
        if wait > timedelta(0):
            raise TooManyAttempts(
                "Several wrong passwords for this account: wait a moment before trying again, "
                "or ask the staff at the desk to unlock it.", retry_after=_seconds(wait), scope="account")


async def reserve(*, login: str, address: str, device: str | None = None, now: datetime | None = None) -> list[int]:
    """Record a failure for the account and the address, or raise TooManyAttempts; returns row ids.

    device: the nonce of a device cookie proven for this login (accounts.devices); the attempt
    is then judged and recorded on that device's bucket alone."""
    keys = (device_key(login, device),) if device else (account_key(login), address_key(address))
    async with DB.transaction():
        for key in sorted(keys):  # one lock order everywhere: no deadlock between workers
            await db.fetch(queries.ATTEMPTS_LOCK, key)
        # The clock is read once the locks are ours (issue 27): read before, an attempt that waited
        # behind a simultaneous one would find that one's later reservation "in its future" and
        # wait for it, so two right passwords at once could get a 429.
        now = now or clock.now()
        _wait_for(now, await db.fetchone(queries.FAILURES_SINCE, keys[0], now - ACCOUNT_WINDOW))
        if not device:
            client = keys[1]
            failures = (await db.fetchone(queries.FAILURES_SINCE, client, now - WINDOW))["failures"]
            if failures >= ADDRESS_LIMIT:
                raise TooManyAttempts("Too many failed logins from this network; wait before trying again.",
                                      retry_after=await _address_retry_after(client, now), scope="address")
        rows = await LoginAttempt.insert(*(LoginAttempt(key=key, at=now) for key in keys)).returning(LoginAttempt.id)
    return [row["id"] for row in rows]


async def succeeded(*, login: str, reserved: list[int], device: str | None = None) -> None:
    """A right password: take back this attempt's reservation and forget the failures of the bucket
    it was judged on (a known device's success leaves strangers' failures on the account alone)."""
    taken_back = LoginAttempt.key == (device_key(login, device) if device else account_key(login))
    await LoginAttempt.delete().where((LoginAttempt.id.is_in(reserved) | taken_back) if reserved else taken_back)


async def unlock(login: str) -> int:
    """Staff at the desk, the learner's pass in hand: the account's failures are forgotten, its
    known devices' too."""
    rows = await db.fetch(queries.FORGET_ACCOUNT_ATTEMPTS, account_key(login), device_key(login, ""))
    return len(rows)


async def account_wait(login: str, now: datetime | None = None) -> int:
    """Seconds before the account may try again (0: now); what the desk screen shows."""
    now = now or clock.now()
    state = await db.fetchone(queries.FAILURES_SINCE, account_key(login), now - ACCOUNT_WINDOW)
    if not state["failures"]:
        return 0
    wait = state["latest"] + delay_after(state["failures"]) - now
    return _seconds(wait) if wait > timedelta(0) else 0


async def sweep(now: datetime | None = None) -> int:
    now = now or clock.now()
    rows = await LoginAttempt.delete().where(LoginAttempt.at < now - KEEP).returning(LoginAttempt.id)
    return len(rows)
