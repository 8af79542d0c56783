"""Recurring booking series and waitlists (issue 10)."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-11-30T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "recurring booking series and waitlists"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0007_series_waitlist.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0007_series_waitlist_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
