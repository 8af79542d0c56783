"""A reminder is about a subject any domain names (issue 25, item 4): the sent-logs keyed by it."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-07T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reminders: reminder_log and push_delivery keyed by subject, kind and recipient"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0027_reminder_subjects.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0027_reminder_subjects_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
