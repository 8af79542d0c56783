"""Every column that can hold a person is declared by its domain (fablab/hooks/person_data.py), read from
the live schema: the next table referencing app_user cannot be forgotten by the export, the
retention, the erasure, the deactivation or the access reset (issue 25, item 1)."""

from __future__ import annotations

import pytest

from fablab.platform import db
from fablab.people.registry import TABLES

# The schema is read from PostgreSQL's catalogues: run on the second engine too (.ci/run).
pytestmark = pytest.mark.pg_engine

# Columns holding a reference to a person (pg_constraint: the foreign keys to app_user).
PERSON_REFERENCES = """
SELECT c.conrelid::regclass::text AS table_name, a.attname AS column_name
FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
WHERE c.contype = 'f' AND c.confrelid = 'app_user'::regclass
ORDER BY 1, 2
"""
# Free text, names and documents on the same rows: where a name, a login or a note about someone can sit.
TEXT_COLUMNS = """
SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = 'public' AND table_name = ANY ($1::text[])
  AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
ORDER BY 1, 2
"""
ALL_COLUMNS = "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"


@pytest.fixture
async def schema(pool):
    references = [(row["table_name"], row["column_name"]) for row in await db.fetch(PERSON_REFERENCES)]
    tables = sorted({table for table, _ in references} | {"app_user"})
    texts = [(row["table_name"], row["column_name"]) for row in await db.fetch(TEXT_COLUMNS, tables)]
    existing = {(row["table_name"], row["column_name"]) for row in await db.fetch(ALL_COLUMNS)}
    return references, texts, existing


def declared() -> dict:
    return {declaration.table: declaration for declaration in TABLES}


async def test_every_reference_to_a_person_is_declared(schema):
    references, _, _ = schema
    tables = declared()
    missing = [f"{table}.{column}" for table, column in references
               if table not in tables or column not in tables[table].people]
    assert not missing, f"columns referencing app_user that no domain declares (fablab/*/person.py): {missing}"


async def test_every_text_column_beside_a_person_is_declared(schema):
    _, texts, _ = schema
    tables = declared()
    missing = [f"{table}.{column}" for table, column in texts
               if table not in tables or column not in tables[table].columns()]
    assert not missing, ("free-text or name columns on rows naming a person, declared neither personal, "
                         f"kept nor secret: {missing}")


async def test_declarations_name_real_columns_once(schema):
    _, _, existing = schema
    stale = [f"{d.table}.{column}" for d in TABLES for column in d.columns() if (d.table, column) not in existing]
    assert not stale, f"declared columns the schema does not have: {stale}"
    assert len(declared()) == len(TABLES), "a table is declared by one domain, once"


def test_every_declaration_says_what_export_and_retention_do():
    for declaration in TABLES:
        assert declaration.export or declaration.not_exported, f"{declaration.table}: exported, or why not"
        assert declaration.retention or declaration.kept_until, f"{declaration.table}: retention, or until when"
        overlap = set(declaration.personal) & (set(declaration.kept) | set(declaration.secret))
        assert not overlap, f"{declaration.table}: {overlap} both personal and not"
