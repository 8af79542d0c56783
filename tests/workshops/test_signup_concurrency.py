"""Issue 29's Must-show: 100 sign-ups at once on the real server (2 workers) for 12 seats, 4 held for a
partner. PostgreSQL keeps the count: 8 open seats to people without that partner, the 4 held ones to
its participants only, everyone else waiting in order of arrival; a cancellation seats the first."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from fablab.platform import db
from fablab.invariants import audit_invariants
from fablab.domain.tokens import hash_token, new_token
from tests.support.racing import learners_with_sessions, signed_in_clients
from tests.support.workshops import at, new_partner, new_workshop, participants_in_db

pytestmark = pytest.mark.pg_engine

SIGN_UPS = 100
PARTNER_PEOPLE = 4


async def staff_token() -> str:
    """A live session of staff.vlg, written as the login would."""
    token = new_token()
    await db.fetch("INSERT INTO user_session (token_hash, user_id, expires_at) "
                   "SELECT $1, id, now() + interval '1 hour' FROM app_user WHERE login = 'staff.vlg'", hash_token(token))
    return token


async def race(posts: list) -> list:
    start = asyncio.Event()

    async def one(client, body):
        await start.wait()
        return await client.post(path, json=body)

    path = posts[0][2]
    tasks = [asyncio.create_task(one(client, body)) for client, body, _ in posts]
    await asyncio.sleep(0.05)
    start.set()
    return await asyncio.gather(*tasks)


async def test_hundred_sign_ups_twelve_seats_four_held(live_server, staff):
    partner = await new_partner(staff)
    workshop = await new_workshop(staff, capacity=12, holds=[
        {"partner": partner["id"], "seats": 4, "held_until": at(8)}])
    path = f"/api/workshops/{workshop['id']}/registrations"
    referred = await participants_in_db(PARTNER_PEOPLE, partner_id=partner["id"])
    learners = await signed_in_clients(live_server, await learners_with_sessions(SIGN_UPS - PARTNER_PEOPLE))
    desks = await signed_in_clients(live_server, [await staff_token()] * PARTNER_PEOPLE)
    # The partner's people are signed up by the desk among the last, so the open pool is long full.
    posts = [(client, {}, path) for client in learners[:90]]
    posts += [(desk, {"participant": person}, path) for desk, person in zip(desks, referred)]
    posts += [(client, {}, path) for client in learners[90:]]
    try:
        responses = await race(posts)
    finally:
        await asyncio.gather(*(client.aclose() for client in learners + desks))

    assert Counter(r.status_code for r in responses) == {201: SIGN_UPS}, [r.text for r in responses if r.status_code != 201][:3]
    bodies = [r.json() for r in responses]
    seated = [b for b in bodies if b["status"] == "registered"]
    waiting = [b for b in bodies if b["status"] == "waiting"]
    assert len(seated) == 12 and len(waiting) == SIGN_UPS - 12
    held = [b for b in seated if b["seat"] == "partner"]
    assert sorted(b["participant"] for b in held) == referred
    opened = [b["participant"] for b in seated if b["seat"] == "open"]
    assert len(opened) == 8 and not set(opened) & set(referred)
    # Positions 1..88, each once, in the order PostgreSQL recorded the arrivals.
    assert sorted(b["position"] for b in waiting) == list(range(1, len(waiting) + 1))
    order = [row["id"] for row in await db.fetch(
        "SELECT id FROM registration WHERE workshop_id = $1 AND status = 'waiting' ORDER BY created_at, id",
        workshop["id"])]
    assert order == [b["id"] for b in sorted(waiting, key=lambda b: b["position"])]
    row = await db.fetchone("SELECT seats_taken, held_free FROM workshop WHERE id = $1", workshop["id"])
    assert row == {"seats_taken": 12, "held_free": 0}

    open_seat = next(b for b in seated if b["seat"] == "open")
    first_waiting = next(b for b in waiting if b["position"] == 1)
    gone = await staff.delete(f"{path}/{open_seat['id']}")
    assert gone.status_code == 204
    now = await db.fetchone("SELECT status, seat FROM registration WHERE id = $1", first_waiting["id"])
    assert now == {"status": "registered", "seat": "open"}
    listed = (await staff.get(path)).json()
    assert [r["position"] for r in listed if r["status"] == "waiting"] == list(range(1, len(waiting)))
    assert all(result.holds for result in await audit_invariants())
