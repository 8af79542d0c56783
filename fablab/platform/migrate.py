"""Run the Piccolo migrations in migrations/, one process at a time."""

from __future__ import annotations

import asyncpg
from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards

from fablab.platform import db

# Several workers or deployments may start together; only one migrates, the others wait.
MIGRATION_LOCK_KEY = 0x0FAB1AB


async def migrate_forwards(database_url: str) -> None:
    lock = await asyncpg.connect(database_url, timeout=db.CONNECT_TIMEOUT_S)
    try:
        await lock.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        with db.detached(database_url):
            result = await run_forwards(app_name="fablab", migration_id="all")
        if not result.success:
            raise RuntimeError(f"migrations failed: {result.message}")
    finally:
        await lock.close()


async def migrate_backwards(database_url: str, migration_id: str = "all") -> None:
    with db.detached(database_url):
        result = await run_backwards(app_name="fablab", migration_id=migration_id, auto_agree=True)
    if not result.success:
        raise RuntimeError(f"backwards migration failed: {result.message}")
