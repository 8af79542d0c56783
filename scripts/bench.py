"""Benchmark every hot endpoint with wrk, side by side with the ceilings of the same server.

    .venv/bin/python scripts/bench.py --bookings 10000 [--bookings 1000000] [--database-url URL]
                                      [--duration 10] [--json out.json] [--only POST]

For each size: a scratch database (a private embedded PostgreSQL in a temporary directory, or a
new database on the server of --database-url, an admin URL), migrated and filled by
tests.support.dataset; then `fablab serve --workers 1` with the ceiling routes (FABLAB_BENCH_ROUTES=1);
then wrk on each endpoint and on the ceilings (/bench/bare, /bench/query, /bench/insert) in the
same run. Each endpoint is bracketed by short runs of its ceiling, just before and just after, and
its ratio is to their mean: on a machine shared with other work, a ceiling measured minutes
earlier says little. Prints a table (requests/s, p50, p99, non-2xx, bracketing ceiling, ratio)
and the worker's resident memory; writes JSON with --json. It measures and prints; it never asserts.

Bench-only settings, so that thousands of bookings per second can be accepted at all: the rooms'
policies get quotas and a booking horizon too large to bind (the quota queries still run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FABLAB_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789")

import asyncpg  # noqa: E402
import holidays  # noqa: E402
import httpx  # noqa: E402

from benchlib import wrk  # noqa: E402
from tests.support import dataset  # noqa: E402
from tests.support.cluster import scratch_database  # noqa: E402
from tests.support.server import serve  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
DESKS = 8  # one wrk thread (and one connection) per desk item, so each pair stays in order
READ_CEILING, WRITE_CEILING = "GET /bench/query (1 query)", "GET /bench/insert (1 INSERT)"
CEILING_PATHS = {READ_CEILING: "/bench/query", WRITE_CEILING: "/bench/insert"}


def working_days(first: date, count: int) -> list[date]:
    french = holidays.France(years=range(first.year, first.year + 3))
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5 and day not in french:
            days.append(day)
        day += timedelta(days=1)
    return days


def utc(day: date, hour: int, minute: int = 0) -> str:
    moment = datetime.combine(day, time(hour, minute), PARIS).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def afternoon_slots(days: list[date]) -> list[tuple[str, str]]:
    """Half-hour slots from 13:00 to 18:00, site time: the generated data leaves afternoons free."""
    slots = []
    for day in days:
        for half in range(10):
            start = 13 * 60 + 30 * half
            slots.append((utc(day, start // 60, start % 60), utc(day, (start + 30) // 60, (start + 30) % 60)))
    return slots


class Bench:
    def __init__(self, url: str, base: str, args: argparse.Namespace) -> None:
        self.url, self.base, self.args = url, base, args
        self.results: dict[str, dict] = {}
        self.skipped: dict[str, str] = {}
        self.last_ceiling: tuple[str, float] | None = None
        self.loading = False  # an endpoint (not a ceiling) is under load

    async def prepare(self) -> None:
        async with httpx.AsyncClient(base_url=self.base) as client:
            self.csrf = (await client.get("/health")).cookies["csrftoken"]
            self.paths = set((await client.get("/schema/openapi.json")).json()["paths"])
        connection = await asyncpg.connect(self.url)
        try:
            await connection.execute(
                "UPDATE policy SET max_active_bookings = 100000, max_hours_per_week = 100000, max_days_ahead = 400 "
                "WHERE kind = 'room'")
            rows = await connection.fetch(
                "SELECT u.id, u.login, u.role, s.slug FROM app_user u LEFT JOIN site s ON s.id = u.site_id "
                "WHERE u.login ~ '^(learner[0-9]+|staff\\.(vlg|pfs|pan)|admin)$' ORDER BY u.id")
            tokens = await dataset.open_sessions(connection, [row["id"] for row in rows])
            self.users = [{**dict(row), "token": tokens[row["id"]]} for row in rows]
            self.vlg_tags = [r["tag"] for r in await connection.fetch(
                "SELECT tag FROM resource r JOIN site s ON s.id = r.site_id WHERE s.slug = 'vlg' ORDER BY tag")]
            self.rooms = [(r["tag"], r["slug"]) for r in await connection.fetch(
                "SELECT r.tag, s.slug FROM resource r JOIN site s ON s.id = r.site_id "
                "WHERE r.kind = 'room' AND s.slug IN ('vlg', 'pfs', 'pan') ORDER BY r.tag")]
            self.bump_id = await connection.fetchval(
                "SELECT b.id FROM booking b JOIN site s ON s.id = b.site_id WHERE s.slug = 'vlg' "
                "AND b.status = 'confirmed' AND b.starts_at > now() ORDER BY b.starts_at LIMIT 1")
        finally:
            await connection.close()

    def headers(self, user: dict, json_body: bool = False) -> dict[str, str]:
        headers = {"Cookie": f"csrftoken={self.csrf}; fablab_session={user['token']}", "X-CSRFToken": self.csrf}
        if json_body:
            headers["Content-Type"] = "application/json"
        return headers

    def learners(self, site: str | None = None) -> list[dict]:
        return [u for u in self.users if u["role"] == "learner" and (site is None or u["slug"] == site)]

    def staff(self, site: str) -> dict:
        return next(u for u in self.users if u["login"] == f"staff.{site}")

    def run_ceiling(self, ceiling: str) -> float:
        """A short run of the ceiling route, or the one that just ran (ceilings bracket every endpoint)."""
        if self.last_ceiling is not None and self.last_ceiling[0] == ceiling:
            return self.last_ceiling[1]
        result = wrk.run(self.base, wrk.rotating_get([CEILING_PATHS[ceiling]]), seconds=self.args.duration / 2,
                         threads=self.args.threads, connections=self.args.connections)
        self.last_ceiling = (ceiling, result.ok_rps)
        return result.ok_rps

    def measure(self, name: str, lua: str, *, ceiling: str | None, needs: str | None = None,
                threads: int | None = None, connections: int | None = None) -> None:
        """Load one endpoint; an endpoint with a ceiling is bracketed by short runs of that ceiling,
        just before and just after, so its ratio holds on a machine whose load changes meanwhile."""
        if self.args.only and not any(part in name for part in self.args.only):
            return
        if needs is not None and needs not in self.paths:
            self.skipped[name] = f"{needs} is not in the app's OpenAPI schema yet"
            print(f"  {name}: skipped ({self.skipped[name]})", flush=True)
            return
        before = self.run_ceiling(ceiling) if ceiling else None
        self.last_ceiling = None
        self.loading = True
        try:
            result = wrk.run(self.base, lua, seconds=self.args.duration, threads=threads or self.args.threads,
                             connections=connections or self.args.connections)
        finally:
            self.loading = False
        self.results[name] = {**result.as_dict(), "ceiling": ceiling}
        if ceiling:
            after = self.run_ceiling(ceiling)
            self.results[name]["bracketing_ceiling_rps"] = [round(before, 1), round(after, 1)]
        print(f"  {name}: {result.ok_rps:,.0f} ok/s, p99 {result.p99_ms:.1f} ms, statuses {result.statuses}"
              + (f", ceiling before/after {before:,.0f}/{after:,.0f} ok/s" if ceiling else ""), flush=True)
        for status, body in result.samples.items():
            print(f"    first {status}: {body[:200]}", flush=True)

    def run_all(self) -> None:
        asyncio.run(self.prepare())
        a = self.args
        print(f"wrk: {a.threads} threads, {a.connections} connections, {a.duration} s per endpoint", flush=True)
        self.measure("GET /bench/bare (bare route)", wrk.rotating_get(["/bench/bare"]), ceiling=None)
        self.measure(READ_CEILING, wrk.rotating_get(["/bench/query"]), ceiling=None)
        self.measure(WRITE_CEILING, wrk.rotating_get(["/bench/insert"]), ceiling=None)

        vlg_learners = [self.headers(u) for u in self.learners("vlg")]
        days = working_days(date.today() + timedelta(days=1), 10)
        self.measure("GET /api/availability (room, vlg)", wrk.rotating_get(
            [f"/api/availability?site=vlg&kind=room&date={d.isoformat()}" for d in days], vlg_learners),
            ceiling=READ_CEILING, needs="/api/availability")
        self.measure("GET /api/bookings?mine=true", wrk.rotating_get(
            ["/api/bookings?mine=true"], [self.headers(u) for u in self.learners()]),
            ceiling=READ_CEILING, needs="/api/bookings")
        self.measure("GET /api/tags/{tag} (learner)", wrk.rotating_get(
            [f"/api/tags/{tag}" for tag in self.vlg_tags], vlg_learners),
            ceiling=READ_CEILING, needs="/api/tags/{tag}")
        self.feeds()
        self.create_bookings()
        self.desk_pairs()

    def feeds(self) -> None:
        path = "/cal/sites/vlg.ics"
        if "/cal/sites/{file}" not in self.paths:
            self.skipped["feeds"] = "no site feed route"
            return
        etag = None
        for _ in range(4):  # every worker renders and caches it once
            etag = httpx.get(self.base + path, timeout=30).headers["etag"]
        self.measure("GET /cal/sites/vlg.ics warm", wrk.rotating_get([path]), ceiling=READ_CEILING)
        self.measure("GET /cal/sites/vlg.ics 304", wrk.rotating_get([path], [{"If-None-Match": etag}]),
                     ceiling=READ_CEILING)

        # Cold: a booking of the site changes every 5 ms, as if the site were busy, so (nearly)
        # every request finds its cached feed stale and renders again; the ETag changes say how many did.
        async def cold() -> None:
            connection = await asyncpg.connect(self.url)
            bumps = 0
            task = asyncio.create_task(asyncio.to_thread(
                self.measure, "GET /cal/sites/vlg.ics cold", wrk.rotating_get([path]), ceiling=READ_CEILING))
            try:
                while not task.done():
                    if self.loading:  # not while the bracketing ceilings run
                        await connection.execute(
                            "UPDATE booking SET sequence = sequence + 1, updated_at = now() WHERE id = $1",
                            self.bump_id)
                        bumps += 1
                    await asyncio.sleep(0.005)
                await task
            finally:
                await connection.close()
            result = self.results.get("GET /cal/sites/vlg.ics cold")
            if result:
                result["bumps"] = bumps
                result["rendered_share"] = round(result["etag_changes"] / max(1, result["requests"]), 3)
                print(f"    cold: {bumps} bookings changed during the run; "
                      f"{result['rendered_share']:.0%} of responses carried a new ETag", flush=True)

        asyncio.run(cold())

    def create_bookings(self) -> None:
        # Each room's slots go to its site's learners in turn: real bookings come from many people,
        # each holding a few, not from one learner per room piling up thousands.
        by_site = {site: [self.headers(u, json_body=True) for u in self.learners(site)] for site in ("vlg", "pfs", "pan")}
        rooms = [(tag, by_site[site]) for tag, site in self.rooms]
        slots = afternoon_slots(working_days(date.today() + timedelta(days=1), 250))
        self.measure("POST /api/bookings (distinct slots)", wrk.create_bookings(rooms, slots),
                     ceiling=WRITE_CEILING, needs="/api/bookings")

    def desk_pairs(self) -> None:
        if "/api/checkouts" not in self.paths:
            self.skipped["desk"] = "no check-out route"
            return
        # Items of their own, each with a chain of one-minute bookings from now on: a check-out
        # takes the next booking (moving its start to now), the check-in ends it. Added only now,
        # so the other measures ran on the dataset alone.
        per_desk = int(self.args.duration * 1000 / DESKS) + 50  # more than a worker can do

        async def add_desks() -> list[tuple[str, list[int]]]:
            connection = await asyncpg.connect(self.url)
            try:
                site_id = await connection.fetchval("SELECT id FROM site WHERE slug = 'vlg'")
                learner_ids = [u["id"] for u in self.learners("vlg")]
                desks = []
                start = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=5)
                for n in range(1, DESKS + 1):
                    tag = f"VLG-DESK-{n:03d}"
                    resource_id = await connection.fetchval(
                        "INSERT INTO resource (site_id, kind, name, tag) VALUES ($1, 'laptop', $2, $3) RETURNING id",
                        site_id, f"Portable du comptoir {n}", tag)
                    ids = await connection.fetch(
                        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, "
                        "blocked_until, purpose) "
                        "SELECT $1, $2, 'laptop', ($3::int[])[1 + k % cardinality($3::int[])], "
                        "($3::int[])[1 + k % cardinality($3::int[])], $4::timestamptz + k * interval '1 minute', "
                        "$4::timestamptz + (k + 1) * interval '1 minute', $4::timestamptz + (k + 1) * interval '1 minute', 'Prêt au comptoir' "
                        "FROM generate_series(0, $5 - 1) AS k ORDER BY k RETURNING id",
                        resource_id, site_id, learner_ids, start, per_desk)
                    desks.append((tag, sorted(row["id"] for row in ids)))
                return desks
            finally:
                await connection.close()

        desks = asyncio.run(add_desks())
        self.measure("POST /api/checkouts + /api/checkins", wrk.desk_pairs(desks, self.headers(self.staff("vlg"), True)),
                     ceiling=WRITE_CEILING, threads=DESKS, connections=DESKS)


def print_table(size: int, results: dict[str, dict], skipped: dict[str, str]) -> None:
    print(f"\n{size:,} bookings — one worker")
    header = f"{'endpoint':44s} {'ok req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'non-2xx':>8s} {'ceiling':>9s} {'ratio':>6s}"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        # The ceiling an endpoint is compared with: the mean of the runs of its ceiling route just
        # before and just after it (the whole-run ceiling rows above are shown for reference).
        ceiling_rps = sum(r["bracketing_ceiling_rps"]) / 2 if r.get("bracketing_ceiling_rps") else None
        non_ok = sum(n for status, n in r["statuses"].items() if not 200 <= int(status) < 400)
        ratio = r["ok_rps"] / ceiling_rps if ceiling_rps else None
        r["ceiling_rps"] = round(ceiling_rps, 1) if ceiling_rps else None
        r["ratio_to_ceiling"] = round(ratio, 3) if ratio is not None else None
        bare = results.get("GET /bench/bare (bare route)")
        r["ratio_to_bare"] = round(r["ok_rps"] / bare["ok_rps"], 3) if bare and bare["ok_rps"] else None
        print(f"{name:44s} {r['ok_rps']:9,.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {non_ok:8d} "
              f"{(ceiling_rps or 0):9,.0f} {(f'{ratio:.0%}' if ratio is not None else '-'):>6s}")
    for name, why in skipped.items():
        print(f"{name:44s} skipped: {why}")


def bench_size(size: int, args: argparse.Namespace) -> dict:
    print(f"\n=== {size:,} bookings ===", flush=True)
    with scratch_database(args.database_url, prefix="fablab_bench") as scratch:
        data = asyncio.run(dataset.generate(scratch.url, size))
        print(f"dataset: {data.counts} in {data.seconds:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in data.timings.items())})",
              flush=True)
        with open(os.devnull, "w") as quiet, serve(scratch.url, workers=1, bench_routes=True, log=quiet) as server:
            bench = Bench(scratch.url, server.base, args)
            bench.run_all()
            rss = server.rss_mib()
        print_table(size, bench.results, bench.skipped)
        for pid, mib in rss.items():
            print(f"resident memory of the worker (pid {pid}) after the run: {mib:.0f} MiB")
        return {"bookings": size, "dataset": data.counts, "generation_seconds": round(data.seconds, 1),
                "results": bench.results, "skipped": bench.skipped, "worker_rss_mib": list(rss.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, action="append", help="dataset size (repeatable); default 10000")
    parser.add_argument("--database-url", default=os.environ.get("FABLAB_BENCH_PG"),
                        help="admin URL of a PostgreSQL server to use instead of a private embedded one")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per endpoint")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--json", type=Path, help="write the figures there")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="measure only the endpoints whose name contains TEXT (repeatable), still bracketed")
    args = parser.parse_args()
    wrk.ensure_wrk()
    report = {"started_at": datetime.now(timezone.utc).isoformat(), "duration_s": args.duration,
              "threads": args.threads, "connections": args.connections, "cpus": os.cpu_count(), "runs": []}
    for size in args.bookings or [10_000]:
        report["runs"].append(bench_size(size, args))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
        print(f"\nfigures written to {args.json}")


if __name__ == "__main__":
    main()
