"""Workshop notices (issue 29): what a sign-up's person must be told (seated from the waiting list, workshop cancelled)."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-07T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration notices: seated from the waiting list, workshop cancelled; told once by e-mail"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0022_workshop_notices.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0022_workshop_notices_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
