"""The suite's databases: one PostgreSQL per run, the migrations run once into a template, a copy of
the template per pytest process, and the demo data put back by SQL before each test.

Why so: running the 18 migrations and seeding through the app cost seconds per database and most of a
second per test. `CREATE DATABASE … TEMPLATE` copies files in a fraction of a second, and putting the
demo rows back from a snapshot schema is one batch of plain statements.

With pytest-xdist the controller starts the cluster and builds the template (tests/conftest.py hands
both to the workers); without it the one process does the same for itself.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import Callable

import asyncpg

from fablab.platform.embedded_db import start_embedded
from fablab.platform.migrate import migrate_forwards
from tests.support.paths import ROOT

# FABLAB_TEST_PG names a server to test on (a superuser URL); without it, the embedded cluster.
TEST_SERVER_ENV = "FABLAB_TEST_PG"
EMBEDDED_DATA_DIR = ROOT / "var" / "test"
# The demo rows as they were seeded, kept beside the app's tables (never in `public`, which the
# schema tests read) and copied back before each test.
SNAPSHOT_SCHEMA = "test_demo_snapshot"
# Durability is worth nothing to a test database that is thrown away: no fsync, no waiting for the
# WAL at commit. Only on the private cluster (a shared server keeps its own settings); the per-database
# one (synchronous_commit) everywhere.
EMBEDDED_TUNING = ("fsync = off", "synchronous_commit = off", "full_page_writes = off")


def with_database(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


@dataclass
class Cluster:
    admin_url: str
    stop: Callable[[], None] = field(default=lambda: None)


def start_cluster() -> Cluster:
    """The server the run tests on: FABLAB_TEST_PG's, or the private embedded one in var/test."""
    given = os.environ.get(TEST_SERVER_ENV)
    if given:
        return Cluster(given)
    server = start_embedded(EMBEDDED_DATA_DIR, database="postgres")
    asyncio.run(_tune(server.admin_url))
    return Cluster(server.admin_url, server.stop)


async def _tune(admin_url: str) -> None:
    connection = await asyncpg.connect(admin_url, timeout=10)
    try:
        for setting in EMBEDDED_TUNING:
            name, value = setting.split(" = ")
            await connection.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        await connection.execute("SELECT pg_reload_conf()")
    finally:
        await connection.close()


async def _admin(admin_url: str, *statements: str) -> None:
    connection = await asyncpg.connect(admin_url, timeout=30)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def create_template(admin_url: str, name: str) -> None:
    """A database with every migration run, to copy from (never connected to once built)."""
    asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'))
    asyncio.run(migrate_forwards(with_database(admin_url, name)))


def drop_database(admin_url: str, name: str) -> None:
    asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def clone_template(admin_url: str, template: str, name: str) -> str:
    """A fresh copy of the migrated template; its URL."""
    await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                 f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
                 f"ALTER DATABASE \"{name}\" SET synchronous_commit = off")
    return with_database(admin_url, name)


async def drop_clone(admin_url: str, name: str) -> None:
    await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the demo data, put back before each test ---------------------------------------------------

TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration' ORDER BY 1"
# Generated columns are computed again on insert; every other column is copied as it was.
COLUMNS = """SELECT table_name, string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS columns
FROM information_schema.columns WHERE table_schema = 'public' AND is_generated = 'NEVER' GROUP BY table_name"""
SEQUENCES = "SELECT schemaname, sequencename, last_value, start_value FROM pg_sequences WHERE schemaname = 'public'"


async def take_snapshot(connection: asyncpg.Connection) -> str:
    """Copy the freshly seeded tables aside; return the SQL that puts them back exactly."""
    tables = [row["tablename"] for row in await connection.fetch(TABLES)]
    columns = {row["table_name"]: row["columns"] for row in await connection.fetch(COLUMNS)}
    await connection.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE; CREATE SCHEMA {SNAPSHOT_SCHEMA}")
    refill = []
    for table in tables:
        await connection.execute(f'CREATE TABLE {SNAPSHOT_SCHEMA}."{table}" AS SELECT * FROM public."{table}"')
        if await connection.fetchval(f'SELECT EXISTS (SELECT FROM {SNAPSHOT_SCHEMA}."{table}")'):
            refill.append(f'INSERT INTO public."{table}" ({columns[table]}) OVERRIDING SYSTEM VALUE '
                          f'SELECT {columns[table]} FROM {SNAPSHOT_SCHEMA}."{table}"')
    sequences = []
    for row in await connection.fetch(SEQUENCES):
        name = f'public."{row["sequencename"]}"'
        if row["last_value"] is None:
            sequences.append(f"SELECT setval('{name}', {row['start_value']}, false)")
        else:
            sequences.append(f"SELECT setval('{name}', {row['last_value']}, true)")
    # As the replication role, PostgreSQL fires no trigger and checks no foreign key: rows can go in
    # any order, and the append-only tables' guards (which refuse a DELETE) stand aside. DELETE beats
    # TRUNCATE here: a test writes a few rows, and TRUNCATE makes new files for every table each time.
    return ";\n".join(["BEGIN", "SET LOCAL session_replication_role = replica",
                       *(f'DELETE FROM public."{table}"' for table in tables), *refill, *sequences, "COMMIT"])


async def restore(connection: asyncpg.Connection, restore_sql: str) -> None:
    await connection.execute(restore_sql)


def restore_from_thread(database_url: str, restore_sql: str) -> None:
    """The same, for code whose thread already has an event loop marked running (sync Playwright)."""
    import threading

    failure: list[BaseException] = []

    async def work() -> None:
        connection = await asyncpg.connect(database_url, timeout=30)
        try:
            await restore(connection, restore_sql)
        finally:
            await connection.close()

    def run() -> None:
        try:
            asyncio.run(work())
        except BaseException as error:  # handed back to the caller's thread
            failure.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
