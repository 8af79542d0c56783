"""Ceiling routes for scripts/bench*.py, mounted only when FABLAB_BENCH_ROUTES=1.

A bare route and a route doing one asyncpg query, served by the same process as the real
endpoints, so each endpoint's throughput can be read as a ratio of what the stack allows.
"""

from litestar import get

from fablab.platform.db import DB
from fablab.platform.guards import public


@get("/bench/bare", guards=[public], include_in_schema=False, cache=False)
async def bare() -> dict:
    return {"ok": True}


@get("/bench/query", guards=[public], include_in_schema=False, cache=False)
async def one_query() -> dict:
    async with DB.pool.acquire() as connection:
        value = await connection.fetchval("SELECT count(*) FROM site")
    return {"sites": value}


@get("/bench/insert", guards=[public], include_in_schema=False, cache=False)
async def one_insert() -> dict:
    # One INSERT, the ceiling for POST /api/bookings (issue 4); login_attempt is a plain append table.
    async with DB.pool.acquire() as connection:
        await connection.execute("INSERT INTO login_attempt (key) VALUES ('bench')")
    return {"ok": True}


ROUTES = [bare, one_query, one_insert]
