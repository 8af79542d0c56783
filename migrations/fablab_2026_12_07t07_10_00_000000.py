"""Workshops of the FabLab solidaire (issue 29): partners, participants, workshops, sign-ups, attendance, courses."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-07T07:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partners, participants, workshops with counted seats, sign-ups, attendance, courses"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0021_workshops.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0021_workshops_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
