"""A closure may cancel the bookings it hits (cancel_reason "closure", with a note for the learner; issue 15)."""

from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from fablab.platform.migration_sql import run_sql_file

ID = "2026-12-01T09:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "closures cancel bookings and tell the learners"
HERE = Path(__file__).parent


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fablab", description=DESCRIPTION)

    async def up() -> None:
        await run_sql_file(HERE / "schema_0013_closure_cancellations.sql")

    async def down() -> None:
        await run_sql_file(HERE / "schema_0013_closure_cancellations_down.sql")

    manager.add_raw(up)
    manager.add_raw_backwards(down)
    return manager
