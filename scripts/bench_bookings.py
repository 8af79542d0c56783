"""Benchmark the booking engine (issue 4): availability with 10k and 1M bookings in the database, and
POST /api/bookings throughput next to a bare one-INSERT route on the same server. Prints only:

    .venv/bin/python scripts/bench_bookings.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]

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
from datetime import date, datetime, time as clock_time, timedelta, timezone
from zoneinfo import ZoneInfo

from benchlib.setup import ROOT  # first: puts the repository on sys.path

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from fablab.platform import db  # noqa: E402
from fablab.bookings import queries  # noqa: E402
from fablab.bookings.availability import availability  # noqa: E402

from tests.support.cluster import scratch_database  # noqa: E402
from tests.support.dataset import seed_demo  # noqa: E402
from tests.support.server import serve  # noqa: E402
from fablab.seed import DEMO_PASSWORD  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
SLOTS = [(9, 11), (11, 13), (14, 16), (16, 18)]
# Filled bookings start after the bookable window (14 days), so the POST benchmark has free slots.
FILL_FROM = 20


def fill_day(n: int) -> date:
    return datetime.now(PARIS).date() + timedelta(days=FILL_FROM + n)


async def fill(url: str, ids: dict, already: int, total: int) -> None:
    """Confirmed, non-overlapping bookings on every resource of every site, day after day from
    FILL_FROM days ahead: all of them match the exclusion constraint's predicate, so all of them
    are in its GiST index (the hardest case for availability reads)."""
    resources = [(rid, site["id"], kind) for site in ids["sites"].values()
                 for kind, rids in site["resources"].items() for rid in rids]
    # learner3 (trained for printers) is kept free of these: it is the booker of the throughput run,
    # and a learner holding thousands of future bookings is not a case quotas let happen.
    learners = [uid for users in ids["learners"].values() for uid in users if uid != ids["learners"]["vlg"][2]]
    per_day = len(resources) * len(SLOTS)
    connection = await asyncpg.connect(url)
    try:
        batch = []
        for n in range(already, total):
            resource_id, site_id, kind = resources[n % len(resources)]
            slot = (n // len(resources)) % len(SLOTS)
            day = fill_day(n // per_day)
            start = datetime.combine(day, clock_time(SLOTS[slot][0]), PARIS)
            end = datetime.combine(day, clock_time(SLOTS[slot][1]), PARIS)
            batch.append((resource_id, site_id, kind, learners[n % len(learners)], start, end, end, "confirmed"))
            if len(batch) == 50_000:
                await connection.copy_records_to_table("booking", records=batch, columns=[
                    "resource_id", "site_id", "kind", "user_id", "starts_at", "ends_at", "blocked_until", "status"])
                batch = []
        if batch:
            await connection.copy_records_to_table("booking", records=batch, columns=[
                "resource_id", "site_id", "kind", "user_id", "starts_at", "ends_at", "blocked_until", "status"])
        await connection.execute("VACUUM ANALYZE booking")
    finally:
        await connection.close()


async def time_availability(label: str, days: int, runs: int = 200) -> float:
    now = datetime.now(timezone.utc)
    samples = []
    for n in range(runs):
        day = fill_day(n % max(days, 1))
        started = time.perf_counter()
        result = await availability(site="vlg", kind=("room", "laptop", "printer_3d")[n % 3], day=day, now=now)
        samples.append((time.perf_counter() - started) * 1000)
    median = statistics.median(samples)
    print(f"availability, {label}: median {median:.2f} ms, p95 {sorted(samples)[int(runs * 0.95)]:.2f} ms "
          f"({len(result.resources)} units, {len(result.slots)} slots in the last answer)")
    return median


# The busy ranges of some units over a period, as availability reads them (the overlap predicate of
# the exclusion constraint, so its GiST index serves it).
BUSY_RANGES = f"""
SELECT b.resource_id, b.starts_at, b.blocked_until FROM booking b
WHERE b.resource_id = ANY($1::int[]) AND {queries.holding("b", "$2", "$3")}
"""


async def explain_busy_query(day: date) -> None:
    ids = [row["id"] for row in await db.fetch("SELECT id FROM resource WHERE kind = 'laptop' AND site_id = 1")]
    start = datetime.combine(day, clock_time(0), PARIS)
    plan = await db.fetch("EXPLAIN (ANALYZE, COSTS OFF) " + BUSY_RANGES, ids, start, start + timedelta(days=1))
    print("plan of the busy-ranges query:")
    for row in plan:
        print("   ", row["QUERY PLAN"])


async def in_process(url: str, small: int, large: int) -> None:
    ids = await seed_demo(url)
    per_day = sum(len(r) for s in ids["sites"].values() for r in s["resources"].values()) * len(SLOTS)
    started = time.perf_counter()
    await fill(url, ids, 0, small)
    print(f"filled {small:,} bookings in {time.perf_counter() - started:.1f} s")
    small_median = await time_availability(f"{small:,} bookings", small // per_day)
    started = time.perf_counter()
    await fill(url, ids, small, large)
    print(f"filled up to {large:,} bookings in {time.perf_counter() - started:.1f} s")
    large_median = await time_availability(f"{large:,} bookings", small // per_day)
    print(f"  ratio 1M/10k: {large_median / small_median:.2f}x (target < 2x), median at 1M "
          f"{large_median:.2f} ms (target < 20 ms)")
    await explain_busy_query(fill_day(3))
    await db.close_pool()


def bookable_slots(count: int) -> list[dict]:
    """Distinct free room and printer slots within the next 14 days, for learner3 (trained)."""
    bodies = []
    today = datetime.now(PARIS).date()
    import holidays
    closed = holidays.country_holidays("FR", years=[today.year, today.year + 1])
    for offset in range(2, 14):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5 or day in closed:
            continue
        for prefix in ("VLG", "PFS", "PAN"):
            for tag in [f"{prefix}-ROOM-00{n}" for n in (1, 2, 3)] + [f"{prefix}-P3D-00{n}" for n in (1, 2)]:
                step = 60 if "P3D" in tag else 30  # printers keep 15 minutes of buffer after each print
                minutes = 9 * 60
                while minutes + 30 <= 18 * 60:
                    start = datetime.combine(day, clock_time(minutes // 60, minutes % 60), PARIS)
                    bodies.append({"resource": tag, "starts_at": start.isoformat(),
                                   "ends_at": (start + timedelta(minutes=30)).isoformat()})
                    minutes += step
    return bodies[:count]


async def throughput(base: str, seconds: float, concurrency: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        response = await client.post("/api/auth/login", json={"login": "learner3", "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.text
        cookies, headers = client.cookies, dict(client.headers)

    async def hammer(make_request) -> tuple[float, int]:
        done, errors = 0, 0
        deadline = time.perf_counter() + seconds
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30, cookies=cookies, headers=headers) as c:
            async def worker() -> None:
                nonlocal done, errors
                while time.perf_counter() < deadline:
                    ok = await make_request(c)
                    if ok is None:
                        return
                    done += ok
                    errors += not ok

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return done / (time.perf_counter() - started), errors

    async def bare_insert(c) -> bool:
        return (await c.get("/bench/insert")).status_code == 200

    slots = iter(bookable_slots(100_000))

    async def post_booking(c) -> bool | None:
        body = next(slots, None)
        if body is None:
            return None
        response = await c.post("/api/bookings", json=body)
        return response.status_code == 201

    print(f"\nthroughput on 1 worker, {concurrency} concurrent clients, {seconds:.0f} s each:")
    bare, _ = await hammer(bare_insert)
    print(f"  GET /bench/insert (one asyncpg INSERT)  {bare:8.0f} req/s")
    rate, errors = await hammer(post_booking)
    print(f"  POST /api/bookings (201 only)           {rate:8.0f} req/s   {rate / bare:6.0%} of the bare INSERT "
          f"(target >= 30 %), {errors} not 201")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=os.environ.get("FABLAB_BENCH_PG"))
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    with scratch_database(args.admin_url, prefix="fablab_bench_bookings", data_dir=ROOT / "var" / "bench") as scratch:
        async def prepare() -> None:
            await in_process(scratch.url, args.small, args.large)
            # Quotas would stop one learner after a few bookings; the checks still run, with no limit.
            connection = await asyncpg.connect(scratch.url)
            await connection.execute("UPDATE policy SET max_active_bookings = NULL, max_hours_per_week = NULL")
            await connection.close()

        asyncio.run(prepare())
        with serve(scratch.url, workers=1, bench_routes=True, log=subprocess.DEVNULL) as server:
            asyncio.run(throughput(server.base, args.seconds, args.concurrency))


if __name__ == "__main__":
    main()
