"""Calendar feeds: indexes for cheap version reads, a change counter, and each feed's Last-Modified."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-11-24T10:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar feeds"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0005_calendars.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0005_calendars_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
