"""Two laptops freed at the same moment on 2 worker processes, 5 learners waiting: the first two
in line get one each, nobody gets two, nobody else gets anything."""

import asyncio

import httpx

from fablab.platform import db
from fablab.invariants import audit_invariants
from tests.support.clients import sign_in
from tests.support.racing import overlapping_active_pairs
from tests.support.bookings import DAY
from tests.support.waitlist import at, hold_all

WAITING = [f"learner{n}" for n in range(1, 6)]


async def signed_in(base: str, login: str) -> httpx.AsyncClient:
    return await sign_in(httpx.AsyncClient(base_url=base, timeout=60), login)


async def test_two_cancellations_serve_exactly_the_first_two(live_server):
    held = await hold_all("laptop", at(9), at(18))
    learners = [await signed_in(live_server, login) for login in WAITING]
    desks = [await signed_in(live_server, "staff.vlg") for _ in range(2)]
    try:
        entries = []
        for client in learners:  # one after the other: their order is the queue's order
            response = await client.post("/api/waitlist", json={"site": "vlg", "kind": "laptop",
                                                                "date": DAY.isoformat()})
            assert response.status_code == 201 and response.json()["status"] == "waiting", response.text
            entries.append(response.json()["id"])

        start = asyncio.Event()

        async def cancel(desk, booking_id):
            await start.wait()
            return await desk.post(f"/api/bookings/{booking_id}/cancel")

        tasks = [asyncio.create_task(cancel(desk, booking_id)) for desk, booking_id in zip(desks, held[:2])]
        await asyncio.sleep(0.05)
        start.set()
        assert [r.status_code for r in await asyncio.gather(*tasks)] == [200, 200]
    finally:
        await asyncio.gather(*(client.aclose() for client in learners + desks))

    statuses = {row["id"]: row["status"] for row in
                await db.fetch("SELECT id, status FROM waitlist_entry WHERE id = ANY($1::bigint[])", entries)}
    assert [statuses[entry] for entry in entries] == ["booked", "booked", "waiting", "waiting", "waiting"]
    laptops = await db.fetch(
        "SELECT u.login, count(*) AS n FROM booking b JOIN app_user u ON u.id = b.user_id "
        "WHERE b.kind = 'laptop' AND b.status = 'confirmed' AND u.login = ANY($1::text[]) GROUP BY u.login",
        WAITING)
    assert sorted((row["login"], row["n"]) for row in laptops) == [("learner1", 1), ("learner2", 1)]
    assert await db.fetchval("SELECT count(*) FROM booking WHERE kind = 'laptop' AND status = 'confirmed'") == 12
    assert await overlapping_active_pairs() == 0
    assert all(result.holds for result in await audit_invariants())
