"""Periodic jobs that exactly one process runs at a time, whatever the number of workers."""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fablab.platform.db import DB
from fablab.platform.problems import DATABASE_DOWN_ERRORS

log = logging.getLogger("fablab.background")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: float
    run: Callable[[], Awaitable[object]]

    @property
    def lock_key(self) -> int:
        # A stable 32-bit key per job name for pg_try_advisory_lock.
        return zlib.crc32(f"fablab:{self.name}".encode())


async def run_once_exclusively(job: PeriodicJob) -> bool:
    """Run the job if no other process holds its advisory lock; True when it ran here."""
    if DB.pool is None:
        return False
    async with DB.pool.acquire() as connection:
        got_lock = await connection.fetchval("SELECT pg_try_advisory_lock($1)", job.lock_key)
        if not got_lock:
            return False
        try:
            await job.run()
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", job.lock_key)
    return True


async def _loop(job: PeriodicJob) -> None:
    while True:
        try:
            await run_once_exclusively(job)
        except asyncio.CancelledError:
            raise
        except DATABASE_DOWN_ERRORS as error:
            log.warning("job %s skipped, database unavailable: %s", job.name, type(error).__name__)
        except Exception:
            log.exception("job %s failed", job.name)
        await asyncio.sleep(job.every_seconds)


def start_jobs(jobs: list[PeriodicJob]) -> list[asyncio.Task]:
    return [asyncio.create_task(_loop(job), name=f"job:{job.name}") for job in jobs]


async def stop_jobs(tasks: list[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
