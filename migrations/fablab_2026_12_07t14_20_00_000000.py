"""The desk (issue 31): loan agreements per site, versioned; hand-overs of several items, signed."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-07T14:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "loan agreements, hand-overs of several items with their signature"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0023_desk_handovers.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0023_desk_handovers_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
