"""Many clients at once against the real server: learners with sessions, signed-in clients, a race."""

import asyncio
from datetime import datetime, time

import httpx

from fablab.platform import db
from fablab.domain.tokens import hash_token, new_token
from tests.support.bookings import DAY, PARIS

CLIENTS = 50


async def learners_with_sessions(count: int) -> list[str]:
    """`count` new learners at vlg, each with a live session; returns their session tokens.

    Sessions are written straight into PostgreSQL, as the login endpoint would: the server checks
    them like any other. 50 argon2 logins would only burn the two shared cores before the race.
    """
    site_id = await db.fetchval("SELECT id FROM site WHERE slug = 'vlg'")
    tokens = []
    for n in range(count):
        user_id = await db.fetchval(
            "INSERT INTO app_user (role, name, login, site_id) VALUES ('learner', $1, $2, $3) RETURNING id",
            f"Apprenant charge {n}", f"load{n}", site_id)
        token = new_token()
        await db.fetch(
            "INSERT INTO user_session (token_hash, user_id, expires_at) VALUES ($1, $2, now() + interval '1 hour')",
            hash_token(token), user_id)
        tokens.append(token)
    return tokens


async def signed_in_clients(base: str, tokens: list[str]) -> list[httpx.AsyncClient]:
    clients = []
    for token in tokens:
        # The clients warm up one after another, so the first ones' connections idle while the
        # rest sign in; on a loaded machine that outlasts the server's keep-alive (5 s), and a POST
        # sent on a connection the server is closing fails with ReadError. Connections idle for
        # over 2 s are dropped on our side first: the race then opens fresh ones.
        client = httpx.AsyncClient(base_url=base, timeout=60, cookies={"fablab_session": token},
                                   limits=httpx.Limits(keepalive_expiry=2))
        await client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        clients.append(client)
    return clients


async def race(clients: list[httpx.AsyncClient], body: dict) -> list[httpx.Response]:
    start = asyncio.Event()

    async def one(client):
        await start.wait()
        return await client.post("/api/bookings", json=body)

    tasks = [asyncio.create_task(one(client)) for client in clients]
    await asyncio.sleep(0.05)
    start.set()
    try:
        return await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


def moment(hh: int) -> str:
    return datetime.combine(DAY, time(hh), PARIS).isoformat()


async def overlapping_active_pairs() -> int:
    return await db.fetchval(
        "SELECT count(*) FROM booking a JOIN booking b ON a.resource_id = b.resource_id AND a.id < b.id "
        "AND tstzrange(a.starts_at, a.blocked_until, '[)') && tstzrange(b.starts_at, b.blocked_until, '[)') "
        "WHERE a.status IN ('confirmed', 'checked_out') AND b.status IN ('confirmed', 'checked_out')")
