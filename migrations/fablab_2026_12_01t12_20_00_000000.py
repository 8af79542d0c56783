"""Maintenance by use (issue 19): plans per kind or item, and the maintenance done."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-01T12:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "maintenance plans and records"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0018_maintenance.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0018_maintenance_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
