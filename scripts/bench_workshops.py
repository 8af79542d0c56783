"""Benchmark workshop sign-ups (issue 29): throughput and latency of POST /api/workshops/{id}/registrations
on the real server (2 workers), all clients on one workshop (every sign-up queues on its row) and spread
over many. Prints only:

    .venv/bin/python scripts/bench_workshops.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]

Its scratch database (tests.support.cluster) lives on the server of --admin-url or FABLAB_BENCH_PG,
else on an embedded cluster in var/bench, and is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import time
from datetime import datetime, time as clock_time, timedelta

from benchlib.setup import ROOT  # first: puts the repository on sys.path

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from fablab.domain.tokens import hash_token, new_token  # noqa: E402
from tests.support.bookings import DAY, PARIS  # noqa: E402
from tests.support.cluster import scratch_database  # noqa: E402
from tests.support.dataset import seed_demo  # noqa: E402
from tests.support.server import serve  # noqa: E402

CAPACITY, HELD = 12, 4


async def prepare(url: str, people: int, workshops: int) -> tuple[str, list[int], list[int]]:
    """A staff session, `people` participants at vlg (HELD of them referred by a partner), and
    `workshops` workshops of CAPACITY seats, HELD held for that partner."""
    await seed_demo(url)
    connection = await asyncpg.connect(url)
    try:
        site_id = await connection.fetchval("SELECT id FROM site WHERE slug = 'vlg'")
        partner = await connection.fetchval("INSERT INTO partner (site_id, name, kind) "
                                            "VALUES ($1, 'Mission Locale', 'mission_locale') RETURNING id", site_id)
        ids = []
        for n in range(people):
            user_id = await connection.fetchval(
                "INSERT INTO app_user (role, name, login, site_id, birth_year) "
                "VALUES ('participant', $1, $2, $3, 2006) RETURNING id", f"Jeune {n}", f"participant.bench{n}", site_id)
            await connection.execute("INSERT INTO participant (user_id, partner_id) VALUES ($1, $2)", user_id,
                                     partner if n < HELD else None)
            ids.append(user_id)
        token = new_token()
        await connection.execute("INSERT INTO user_session (token_hash, user_id, expires_at) SELECT $1, id, "
                                 "now() + interval '1 day' FROM app_user WHERE login = 'staff.vlg'", hash_token(token))
        starts = datetime.combine(DAY, clock_time(14), PARIS)
        workshop_ids = []
        for n in range(workshops):
            start = starts + timedelta(days=7 * (n // 4), hours=n % 4)
            workshop_id = await connection.fetchval(
                "INSERT INTO workshop (site_id, title, starts_at, ends_at, capacity, held_free) "
                "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                site_id, f"Atelier {n}", start, start + timedelta(hours=1), CAPACITY, HELD)
            await connection.execute("INSERT INTO workshop_hold (workshop_id, partner_id, seats, held_until) "
                                     "VALUES ($1, $2, $3, $4)", workshop_id, partner, HELD, start - timedelta(hours=1))
            workshop_ids.append(workshop_id)
    finally:
        await connection.close()
    return token, ids, workshop_ids


async def signed_in(base: str, token: str, concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    client = httpx.AsyncClient(base_url=base, timeout=60, limits=limits, cookies={"fablab_session": token})
    await client.get("/health")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client


async def run(client: httpx.AsyncClient, jobs: list[tuple[int, int]], concurrency: int) -> tuple[float, list, dict]:
    """(workshop, participant) sign-ups by `concurrency` clients at once: rate, latencies (ms), statuses."""
    queue = iter(jobs)
    latencies, outcomes = [], {}

    async def worker() -> None:
        for workshop_id, person in queue:
            started = time.perf_counter()
            response = await client.post(f"/api/workshops/{workshop_id}/registrations", json={"participant": person})
            latencies.append((time.perf_counter() - started) * 1000)
            key = response.json().get("status") if response.status_code == 201 else str(response.status_code)
            outcomes[key] = outcomes.get(key, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(jobs) / (time.perf_counter() - started), latencies, outcomes


def report(label: str, rate: float, latencies: list[float], outcomes: dict) -> None:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"  {label:<44} {rate:7.0f} sign-ups/s   p50 {statistics.median(ordered):6.1f} ms   p99 {p99:6.1f} ms   "
          f"{dict(sorted(outcomes.items()))}")


async def bench(base: str, token: str, people: list[int], workshops: list[int], concurrency: int, rounds: int) -> None:
    client = await signed_in(base, token, concurrency)
    try:
        await run(client, [(workshops[-1], person) for person in people[:20]], concurrency)  # warm-up
        print(f"\nsign-ups on 2 workers, {concurrency} concurrent clients, {len(people)} people per workshop "
              f"({CAPACITY} seats, {HELD} held for a partner):")
        one = [(workshop, person) for workshop in workshops[:rounds] for person in people]
        report(f"contended: one workshop at a time ({rounds} rounds)", *await run(client, one, concurrency))
        spread_workshops = workshops[rounds:2 * rounds]
        spread = [(spread_workshops[n % rounds], person) for person in people for n in range(rounds)]
        report(f"spread: {rounds} workshops at once", *await run(client, spread, concurrency))
    finally:
        await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=os.environ.get("FABLAB_BENCH_PG"))
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    with scratch_database(args.admin_url, prefix="fablab_bench_workshops", data_dir=ROOT / "var" / "bench") as scratch:
        token, people, workshops = asyncio.run(prepare(scratch.url, args.people, 2 * args.rounds + 1))
        with serve(scratch.url, workers=2, log=subprocess.DEVNULL, FABLAB_PERIODIC_JOBS="off") as server:
            asyncio.run(bench(server.base, token, people, workshops, args.concurrency, args.rounds))


if __name__ == "__main__":
    main()
