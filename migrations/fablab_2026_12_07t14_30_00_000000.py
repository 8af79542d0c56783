"""Late returns and trainings that expire (issue 31): site late policies, strikes, suspensions, training validity."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-07T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "late returns: strikes, suspensions, late-loan reminders; trainings that expire"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0024_late_returns.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0024_late_returns_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
