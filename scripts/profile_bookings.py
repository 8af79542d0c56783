"""Where POST /api/bookings spends its time, in one process: the statements each booking sends to
PostgreSQL (round trips counted at asyncpg) and a cProfile of the handler's Python.

    .venv/bin/python scripts/profile_bookings.py [--bookings 400] [--top 25]

A scratch database (a private embedded PostgreSQL, as scripts/bench.py) is filled by
tests.support.dataset; the app runs in this process under Litestar's test client (no HTTP server,
no wrk), so what it prints is the handler's own cost, not the machine's load. It prints only: the
round trips per booking (by statement's first words) and the functions with the most cumulative
time. It never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import collections
import io
import os
import pstats
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

from fablab.platform import db  # noqa: E402
from fablab.app import create_app  # noqa: E402
from fablab.platform.settings import load_settings  # noqa: E402
from tests.support import dataset  # noqa: E402
from tests.support.cluster import scratch_database  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
sent: collections.Counter[str] = collections.Counter()


def count_statements() -> None:
    """Count every statement a connection sends (prepared or simple), by its first words."""
    def counted(method):
        async def wrapper(self, query, *args, **kwargs):
            sent[" ".join(str(query).split()[:3])[:60]] += 1
            return await method(self, query, *args, **kwargs)
        return wrapper
    asyncpg.Connection._execute = counted(asyncpg.Connection._execute)
    asyncpg.Connection.execute = counted(asyncpg.Connection.execute)


def slots(count: int) -> list[tuple[str, str]]:
    """Distinct half-hour afternoon slots on the weekdays ahead (the dataset leaves afternoons free)."""
    found, day = [], date.today() + timedelta(days=1)
    while len(found) < count:
        if day.weekday() < 5:
            for half in range(10):
                start = datetime.combine(day, time(13, 0), PARIS) + timedelta(minutes=30 * half)
                found.append((start.astimezone(timezone.utc).isoformat(),
                              (start + timedelta(minutes=30)).astimezone(timezone.utc).isoformat()))
        day += timedelta(days=1)
    return found[:count]


async def run(url: str, bookings: int, top: int) -> None:
    await dataset.generate(url, 2000)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("UPDATE policy SET max_active_bookings = 100000, max_hours_per_week = 100000, "
                                 "max_days_ahead = 400 WHERE kind = 'room'")
        learner = await connection.fetchrow("SELECT id FROM app_user WHERE login = 'learner1'")
        token = (await dataset.open_sessions(connection, [learner["id"]]))[learner["id"]]
        room = await connection.fetchval("SELECT r.tag FROM resource r JOIN site s ON s.id = r.site_id "
                                          "WHERE r.kind = 'room' AND s.slug = 'vlg' ORDER BY r.tag LIMIT 1")
        closed = {row["d"] for row in await connection.fetch(
            "SELECT generate_series(starts_on, ends_on, '1 day')::date AS d FROM closure")}
    finally:
        await connection.close()
    app = create_app(load_settings({**os.environ, "DATABASE_URL": url}), run_jobs=False)
    french = holidays.France(years=range(date.today().year, date.today().year + 3))
    wanted = [slot for slot in slots(bookings * 2)
              if datetime.fromisoformat(slot[0]).astimezone(PARIS).date() not in closed | set(french)][:bookings]
    # The app in this thread and event loop (no test client's portal thread), so that the profile
    # holds the handler's Python; the pool is started as the app's lifespan would.
    db.configure(url)
    await db.start_pool()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
        csrf = (await client.get("/health")).cookies["csrftoken"]
        headers = {"Cookie": f"csrftoken={csrf}; fablab_session={token}", "X-CSRFToken": csrf}

        async def book(slot):
            answer = await client.post("/api/bookings", headers=headers, json={
                "resource": room, "starts_at": slot[0], "ends_at": slot[1], "purpose": "profil"})
            if answer.status_code != 201:
                raise SystemExit(f"{answer.status_code} {answer.text}")

        for slot in wanted[:20]:  # warm: prepared statements, caches
            await book(slot)
        sent.clear()
        profile = cProfile.Profile()
        profile.enable()
        for slot in wanted[20:]:
            await book(slot)
        profile.disable()
    await db.close_pool()
    measured = len(wanted) - 20
    print(f"{measured} bookings of {room} by learner1")
    print(f"statements per booking: {sum(sent.values()) / measured:.2f}")
    for statement, count in sent.most_common():
        print(f"  {count / measured:5.2f}  {statement}")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    # Own time summed by where the code lives: what the handler costs besides its round trips.
    by_origin: collections.Counter[str] = collections.Counter()
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        origin = next((name for name in ("fablab", "litestar", "asyncpg", "msgspec", "asyncio", "httpx")
                       if f"/{name}/" in filename), "socket/select" if filename == "~" else "other")
        by_origin[origin] += own
    print("own time per booking, by origin (ms):")
    for origin, seconds in by_origin.most_common():
        print(f"  {1000 * seconds / measured:6.2f}  {origin}")
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=400)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    count_statements()
    with scratch_database(prefix="fablab_profile") as scratch:
        asyncio.run(run(scratch.url, args.bookings + 20, args.top))


if __name__ == "__main__":
    main()
