"""Visitors of the neighbourhood (issue 30): day or week passes without an account, anonymised after a delay."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-07T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "visitor passes: a day or up to a week, no account, anonymised after an admin-set delay"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0025_visitor_passes.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0025_visitor_passes_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
