"""Benchmark the calendar feeds (issue 6): cold render of a 5,000-event site feed, then warm hits and
304s against a bare JSON route of the same server. Prints only; run from the repo root:

    .venv/bin/python scripts/bench_feeds.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]

Without --admin-url (or FABLAB_BENCH_PG) it uses an embedded cluster in var/bench. It works in a
scratch database of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, time as clock_time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FABLAB_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789")

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from fablab import db  # noqa: E402
from fablab.accounts.passwords import hash_password  # noqa: E402
from fablab.calendars import feeds, queries  # noqa: E402
from fablab.calendars.content import Window  # noqa: E402
from fablab.migrate import migrate_forwards  # noqa: E402
from fablab.seed import DEMO_PASSWORD, seed_reference_data  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
SLOTS = [(9, 10), (11, 12), (14, 15), (16, 17)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def fill(url: str, events: int) -> None:
    """Demo sites and users, then `events` bookings at vlg inside the window, 30 at pan."""
    db.configure(url)
    await db.start_pool(min_size=1, max_size=4)
    async with db.DB.transaction():
        ids = await seed_reference_data(hash_password(DEMO_PASSWORD))
    rows = []
    first_day = datetime.now(timezone.utc).date() - timedelta(days=25)
    for slug, count in (("vlg", events), ("pan", 30)):
        site = ids["sites"][slug]
        resources = [(rid, kind) for kind, rids in site["resources"].items() for rid in rids]
        learners = ids["learners"][slug]
        for n in range(count):
            resource_id, kind = resources[n % len(resources)]
            slot = n // len(resources)
            day = first_day + timedelta(days=slot // len(SLOTS))
            start_hour, end_hour = SLOTS[slot % len(SLOTS)]
            start = datetime.combine(day, clock_time(start_hour), PARIS)
            end = datetime.combine(day, clock_time(end_hour), PARIS)
            rows.append((resource_id, site["id"], kind, learners[n % len(learners)], start, end, end,
                         "confirmed", "Révisions en groupe"))
    connection = await asyncpg.connect(url)
    try:
        await connection.copy_records_to_table(
            "booking", records=rows,
            columns=["resource_id", "site_id", "kind", "user_id", "starts_at", "ends_at", "blocked_until", "status", "purpose"],
        )
        await connection.execute("VACUUM ANALYZE booking")
    finally:
        await connection.close()


async def in_process(events: int) -> None:
    window = Window.around(datetime.now(timezone.utc))
    site = await queries.site_state("vlg", None, window)
    print(f"site feed vlg: {site['n']} bookings in the window (asked for {events})")
    cold = []
    for _ in range(5):
        feeds.CACHE.clear()
        started = time.perf_counter()
        feed = await feeds.site_feed("vlg", None, "bench.example.org")
        cold.append((time.perf_counter() - started) * 1000)
    print(f"cold render (version query + rows + closures + render + Last-Modified upsert): "
          f"median {statistics.median(cold):.0f} ms, min {min(cold):.0f} ms, {len(feed.body) / 1e6:.1f} MB "
          f"(target < 300 ms)")
    started = time.perf_counter()
    for _ in range(200):
        await queries.site_state("vlg", None, window)
    print(f"version query alone: {(time.perf_counter() - started) * 1000 / 200:.2f} ms per call (in-process, 200 calls)")
    plan = await db.fetch("EXPLAIN (ANALYZE, COSTS OFF) " + queries.SITE_STATE, "vlg", window.starts_at, window.ends_at, None)
    print("plan of the version query:")
    for row in plan:
        print("   ", row["QUERY PLAN"])
    await db.close_pool()


async def hammer(base: str, path: str, headers: dict, seconds: float, concurrency: int, expect: int) -> float:
    done = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                response = await client.get(path, headers=headers)
                assert response.status_code == expect, (path, response.status_code)
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - started)


async def over_http(base: str, seconds: float, concurrency: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        etags = {}
        for path in ("/cal/sites/vlg.ics", "/cal/sites/pan.ics"):
            started = time.perf_counter()
            first = await client.get(path)
            print(f"first HTTP GET {path}: {(time.perf_counter() - started) * 1000:.0f} ms, "
                  f"{len(first.content) / 1e3:.0f} kB")
            for _ in range(10):  # every worker renders once
                etags[path] = (await client.get(path)).headers["etag"]
    cases = [
        ("GET /bench/bare (trivial JSON)", "/bench/bare", {}, 200),
        ("GET /cal/sites/vlg.ics warm (5,000 events)", "/cal/sites/vlg.ics", {}, 200),
        ("GET /cal/sites/vlg.ics If-None-Match -> 304", "/cal/sites/vlg.ics", {"If-None-Match": etags["/cal/sites/vlg.ics"]}, 304),
        ("GET /cal/sites/pan.ics warm (30 events)", "/cal/sites/pan.ics", {}, 200),
        ("GET /cal/sites/pan.ics If-None-Match -> 304", "/cal/sites/pan.ics", {"If-None-Match": etags["/cal/sites/pan.ics"]}, 304),
    ]
    bare = None
    print(f"\nthroughput, {concurrency} concurrent clients, {seconds:.0f} s each (client and server share the machine):")
    for label, path, headers, expect in cases:
        rate = await hammer(base, path, headers, seconds, concurrency, expect)
        bare = bare or rate
        print(f"  {label:48s} {rate:8.0f} req/s   {rate / bare:6.0%} of bare")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=os.environ.get("FABLAB_BENCH_PG"))
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    embedded = None
    admin_url = args.admin_url
    if not admin_url:
        from fablab.embedded_db import start_embedded

        embedded = start_embedded(ROOT / "var" / "bench", database="postgres")
        admin_url = embedded.admin_url
    name = f"fablab_bench_feeds_{os.getpid()}"
    url = admin_url.rsplit("/", 1)[0] + "/" + name

    async def create() -> None:
        admin = await asyncpg.connect(admin_url)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        await migrate_forwards(url)
        await fill(url, args.events)
        await in_process(args.events)

    async def drop() -> None:
        admin = await asyncpg.connect(admin_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    server = None
    try:
        asyncio.run(create())
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DATABASE_URL": url, "FABLAB_BASE_URL": base, "FABLAB_BENCH_ROUTES": "1",
               "FABLAB_LOG_LEVEL": "warning"}
        server = subprocess.Popen(
            [sys.executable, "-m", "fablab.cli", "serve", "--port", str(port), "--workers", str(args.workers)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        asyncio.run(over_http(base, args.seconds, args.concurrency))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        asyncio.run(drop())
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    main()
