"""Piccolo app config: the tables and the top-level migrations/ folder."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from fablab import tables

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

APP_CONFIG = AppConfig(
    app_name="fablab",
    migrations_folder_path=str(MIGRATIONS_DIR),
    table_classes=tables.ALL_TABLES,
    migration_dependencies=[],
    commands=[],
)
