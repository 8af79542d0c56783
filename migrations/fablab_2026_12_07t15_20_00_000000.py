"""Minors (issue 30): guardians, consent texts and consents; a policy's minimum age."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-07T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "minors: guardians, consent texts, consents (signed or on paper); policy minimum age"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0026_minors_consents.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0026_minors_consents_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
