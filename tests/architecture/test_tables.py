"""fablab/tables.py is the true model of the migrated database: same tables, columns, types, nullability, keys."""

import re
from pathlib import Path

import pytest

from fablab.platform import db
from fablab.tables import ALL_TABLES
from tests.support.paths import ROOT

pytestmark = pytest.mark.pg_engine

# Piccolo's column types (Column.column_type, length stripped) as information_schema spells them.
INFORMATION_SCHEMA_TYPE = {
    "SERIAL": "integer", "BIGSERIAL": "bigint", "INTEGER": "integer", "BIGINT": "bigint", "SMALLINT": "smallint",
    "TEXT": "text", "VARCHAR": "character varying", "BOOLEAN": "boolean", "DATE": "date",
    "TIMESTAMPTZ": "timestamp with time zone", "TIMESTAMP": "timestamp without time zone", "JSONB": "jsonb",
    "JSON": "json", "UUID": "uuid", "BYTEA": "bytea", "INTERVAL": "interval", "NUMERIC": "numeric",
}

# Piccolo's own record of the migrations it ran: not one of the app's tables.
NOT_MODELLED = {"migration"}

COLUMNS_SQL = """
SELECT table_name, column_name, data_type, is_nullable = 'YES' AS nullable, character_maximum_length AS length
FROM information_schema.columns WHERE table_schema = 'public'
"""
FOREIGN_KEYS_SQL = """
SELECT k.table_name, k.column_name, c.table_name AS references
FROM information_schema.table_constraints t
JOIN information_schema.key_column_usage k
    ON k.constraint_schema = t.constraint_schema AND k.constraint_name = t.constraint_name
JOIN information_schema.constraint_column_usage c
    ON c.constraint_schema = t.constraint_schema AND c.constraint_name = t.constraint_name
WHERE t.table_schema = 'public' AND t.constraint_type = 'FOREIGN KEY'
"""
PRIMARY_KEYS_SQL = """
SELECT k.table_name, k.column_name
FROM information_schema.table_constraints t
JOIN information_schema.key_column_usage k
    ON k.constraint_schema = t.constraint_schema AND k.constraint_name = t.constraint_name
WHERE t.table_schema = 'public' AND t.constraint_type = 'PRIMARY KEY'
"""


def model_columns() -> dict[tuple[str, str], dict]:
    """(table, column) -> what tables.py says of it, in information_schema's words."""
    columns = {}
    for table in ALL_TABLES:
        for column in table._meta.columns:
            piccolo_type = column.column_type.split("(")[0].upper()
            references = getattr(column, "_foreign_key_meta", None)
            columns[(table._meta.tablename, column._meta.db_column_name)] = {
                "type": INFORMATION_SCHEMA_TYPE.get(piccolo_type, piccolo_type),
                "nullable": column._meta.null and not column._meta.primary_key,
                "length": getattr(column, "length", None),
                "primary_key": column._meta.primary_key,
                "references": references.resolved_references._meta.tablename if references else None,
            }
    return columns


async def database_columns() -> dict[tuple[str, str], dict]:
    """(table, column) -> what the migrated database says of it."""
    primary_keys = {(row["table_name"], row["column_name"]) for row in await db.fetch(PRIMARY_KEYS_SQL)}
    references = {(row["table_name"], row["column_name"]): row["references"]
                  for row in await db.fetch(FOREIGN_KEYS_SQL)}
    return {
        (row["table_name"], row["column_name"]): {
            "type": row["data_type"], "nullable": row["nullable"], "length": row["length"],
            "primary_key": (row["table_name"], row["column_name"]) in primary_keys,
            "references": references.get((row["table_name"], row["column_name"])),
        }
        for row in await db.fetch(COLUMNS_SQL) if row["table_name"] not in NOT_MODELLED
    }


def differences(model: dict, database: dict) -> list[str]:
    """One readable line per disagreement, naming the table, the column and both sides."""
    lines = []
    model_tables = {table for table, _ in model}
    database_tables = {table for table, _ in database}
    lines += [f"table {t}: in the database, missing from tables.py" for t in sorted(database_tables - model_tables)]
    lines += [f"table {t}: in tables.py, not in the database" for t in sorted(model_tables - database_tables)]
    for key in sorted(database.keys() - model.keys()):
        if key[0] in model_tables:
            lines.append(f"column {key[0]}.{key[1]} ({database[key]['type']}): in the database, missing from tables.py")
    for key in sorted(model.keys() - database.keys()):
        if key[0] in database_tables:
            lines.append(f"column {key[0]}.{key[1]}: in tables.py, not in the database")
    for key in sorted(model.keys() & database.keys()):
        for facet in ("type", "nullable", "length", "primary_key", "references"):
            if model[key][facet] != database[key][facet]:
                lines.append(f"column {key[0]}.{key[1]} {facet}: tables.py says {model[key][facet]!r}, "
                             f"the database {database[key][facet]!r}")
    return lines


async def test_tables_py_matches_the_migrated_database(pool):
    found = differences(model_columns(), await database_columns())
    assert not found, "fablab/tables.py differs from the migrated database:\n" + "\n".join(found)


def test_the_comparison_reports_a_column_a_migration_added():
    """The check itself: a column only the database has, or a type that disagrees, is reported by name."""
    model = {("site", "id"): {"type": "integer", "nullable": False, "length": None, "primary_key": True,
                              "references": None}}
    database = {**model,
                ("site", "colour"): {"type": "text", "nullable": True, "length": None, "primary_key": False,
                                     "references": None},
                ("push_subscription", "id"): dict(model[("site", "id")])}
    assert differences(model, database) == [
        "table push_subscription: in the database, missing from tables.py",
        "column site.colour (text): in the database, missing from tables.py",
    ]
    database[("site", "id")] = {**model[("site", "id")], "type": "bigint"}
    assert "column site.id type: tables.py says 'integer', the database 'bigint'" in differences(model, database)


def test_migrations_never_import_the_apps_tables():
    """A migration runs against the schema of its day; the app's tables describe today's."""
    migrations = ROOT / "migrations"
    importing = [path.name for path in sorted(migrations.glob("*.py"))
                 if re.search(r"fablab\.tables|from fablab import .*\btables\b", path.read_text())]
    assert sorted(migrations.glob("fablab_*.py")) and not importing, importing
