"""People without an account (issues 29, 30): participants and visitors, and a birth date."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-07T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "participants and visitors as people without an account; birth date"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0020_people_without_accounts.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0020_people_without_accounts_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
