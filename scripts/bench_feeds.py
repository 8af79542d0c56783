"""Benchmark the calendar feeds (issue 6): cold render of a 5,000-event site feed, then warm hits and
304s against a bare JSON route of the same server. Prints only; run from the repo root:

    .venv/bin/python scripts/bench_feeds.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]

It works in a scratch database of its own (tests.support.cluster), on the server of --admin-url or
FABLAB_BENCH_PG, else on an embedded cluster in var/bench.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import time
from datetime import datetime, time as clock_time, timedelta, timezone
from zoneinfo import ZoneInfo

from benchlib.setup import ROOT  # first: puts the repository on sys.path

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from fablab.platform import db  # noqa: E402
from fablab import routes_registry  # noqa: E402,F401  (registers the domains' FEED_EVENTS, as the app does)
from fablab.calendars import feeds, queries  # noqa: E402
from fablab.calendars.content import Window  # noqa: E402

from benchlib import wrk  # noqa: E402
from tests.support.cluster import scratch_database  # noqa: E402
from tests.support.dataset import seed_demo  # noqa: E402
from tests.support.server import serve  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
SLOTS = [(9, 10), (11, 12), (14, 15), (16, 17)]


async def fill(url: str, events: int) -> None:
    """Demo sites and users, then `events` bookings at vlg inside the window, 30 at pan."""
    ids = await seed_demo(url)
    rows = []
    now = datetime.now(timezone.utc)
    first_day = now.date() - timedelta(days=25)
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
            # Booked some days before, as in a real database (not all in the last seconds).
            booked = min(start - timedelta(days=3), now - timedelta(hours=1))
            rows.append((resource_id, site["id"], kind, learners[n % len(learners)], start, end, end,
                         "confirmed", "Révisions en groupe", booked, booked))
    connection = await asyncpg.connect(url)
    try:
        await connection.copy_records_to_table(
            "booking", records=rows,
            columns=["resource_id", "site_id", "kind", "user_id", "starts_at", "ends_at", "blocked_until", "status",
                     "purpose", "created_at", "updated_at"],
        )
        await connection.execute("VACUUM ANALYZE booking")
    finally:
        await connection.close()


async def in_process(events: int) -> None:
    window = Window.around(datetime.now(timezone.utc))
    site, _ = await queries.site_state("vlg", None, window)
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
    # A busy site: one booking changed before each request; only its event is rendered again.
    changed, booking_id = [], await db.fetchval("SELECT min(id) FROM booking WHERE site_id = $1", site["id"])
    for _ in range(50):
        await db.fetch("UPDATE booking SET sequence = sequence + 1, updated_at = now() WHERE id = $1", booking_id)
        started = time.perf_counter()
        await feeds.site_feed("vlg", None, "bench.example.org")
        changed.append((time.perf_counter() - started) * 1000)
    print(f"after one booking changed (state with changes + one event + assembly + Last-Modified upsert): "
          f"median {statistics.median(changed):.1f} ms")
    started = time.perf_counter()
    for _ in range(200):
        await queries.site_state("vlg", None, window)
    print(f"version query alone: {(time.perf_counter() - started) * 1000 / 200:.2f} ms per call (in-process, 200 calls)")
    plan = await db.fetch("EXPLAIN (ANALYZE, COSTS OFF) " + queries.state_sql("site", window), "vlg")
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
    # httpx decoding megabytes is the bottleneck above; wrk (C) measures the server.
    bare = None
    print(f"\nthe same with wrk, 2 threads, {concurrency} connections, {seconds:.0f} s each:")
    for label, path, headers, expect in cases:
        result = wrk.run(base, wrk.rotating_get([path], [headers]), seconds=seconds, threads=2, connections=concurrency)
        rate = result.count(lambda status: status == expect) / result.seconds
        bare = bare or rate
        print(f"  {label:48s} {rate:8.0f} req/s   {rate / bare:6.0%} of bare   statuses {result.statuses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=os.environ.get("FABLAB_BENCH_PG"))
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with scratch_database(args.admin_url, prefix="fablab_bench_feeds", data_dir=ROOT / "var" / "bench") as scratch:
        async def prepare() -> None:
            await fill(scratch.url, args.events)
            await in_process(args.events)

        asyncio.run(prepare())
        with serve(scratch.url, workers=args.workers, bench_routes=True, log=subprocess.DEVNULL) as server:
            asyncio.run(over_http(server.base, args.seconds, args.concurrency))


if __name__ == "__main__":
    main()
