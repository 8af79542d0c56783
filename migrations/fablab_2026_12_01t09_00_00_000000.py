"""Staff belong to one or more sites (issue 16 §1); bookings withdrawn with their item say why (§6)."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-01T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "staff sites and withdrawn bookings"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0009_staff_sites.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0009_staff_sites_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
