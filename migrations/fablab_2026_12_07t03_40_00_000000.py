"""An item leaving service (issue 25 item 2): bookings by kind move, the others are withdrawn."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-07T03:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "bookings moved or withdrawn when an item leaves service"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0019_out_of_service.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0019_out_of_service_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
