"""fablab backup / restore and migrate --backwards (issue 17): same data after a round trip."""

import asyncio
import os
import subprocess
import sys

import asyncpg
import pytest

from fablab.invariants import CHECKS
from tests.support.paths import ROOT
from tests.support.databases import with_database

pytestmark = pytest.mark.server


def fablab(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "FABLAB_DATA_DIR")}
    return subprocess.run([sys.executable, "-m", "fablab.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, input=stdin, env={**base, **env})


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stderr[-3000:]
    return result


async def snapshot(url: str) -> dict:
    """Every row of every table, and every sequence's position."""
    connection = await asyncpg.connect(url)
    try:
        tables = [r["tablename"] for r in await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        data = {table: [tuple(row.values()) for row in await connection.fetch(f'SELECT * FROM "{table}" ORDER BY 1')]
                for table in tables}
        data["sequences"] = [tuple(r.values()) for r in await connection.fetch(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")]
        return data
    finally:
        await connection.close()


async def broken_invariants(url: str) -> dict:
    connection = await asyncpg.connect(url)
    try:
        return {name: rows for name, sql in CHECKS.items() if (rows := await connection.fetch(sql))}
    finally:
        await connection.close()


def test_embedded_backup_restored_into_an_empty_data_dir_gives_the_same_bookings(data_dir):
    tmp_path = data_dir
    source, target, dump = tmp_path / "source", tmp_path / "target", tmp_path / "fablab.dump"
    ok(fablab("migrate", FABLAB_DATA_DIR=str(source)))
    ok(fablab("seed", "--demo", FABLAB_DATA_DIR=str(source)))
    saved = ok(fablab("backup", str(dump), FABLAB_DATA_DIR=str(source)))
    assert dump.stat().st_size > 10_000 and "saved to" in saved.stdout
    ok(fablab("restore", str(dump), FABLAB_DATA_DIR=str(target)))

    # Neither command leaves its PostgreSQL running: start both to compare them.
    from fablab.platform.embedded_db import start_embedded

    servers = [start_embedded(source), start_embedded(target)]
    try:
        before, after = (asyncio.run(snapshot(server.url())) for server in servers)
        assert len(before["booking"]) > 50
        assert after == before
        assert asyncio.run(broken_invariants(servers[1].url())) == {}
    finally:
        for server in servers:
            server.stop()

    # The restored data dir serves: `fablab migrate` finds it up to date.
    assert "up to date" in ok(fablab("migrate", FABLAB_DATA_DIR=str(target))).stdout


@pytest.fixture
def two_databases(pg_admin_url):
    names = [f"fablab_backup_{os.getpid()}_{n}" for n in range(2)]

    async def run(sql_each: str) -> None:
        admin = await asyncpg.connect(pg_admin_url)
        try:
            for name in names:
                await admin.execute(sql_each.format(name=name))
        finally:
            await admin.close()

    asyncio.run(run('CREATE DATABASE "{name}"'))
    try:
        yield [with_database(pg_admin_url, name) for name in names]
    finally:
        asyncio.run(run('DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.pg_engine  # on the suite's PostgreSQL (the others make clusters of their own)
def test_database_url_backup_and_restore_round_trip(two_databases, tmp_path):
    source, target = two_databases
    dump = tmp_path / "fablab.dump"
    ok(fablab("migrate", DATABASE_URL=source))
    ok(fablab("seed", "--demo", DATABASE_URL=source))
    ok(fablab("backup", str(dump), DATABASE_URL=source))
    ok(fablab("restore", str(dump), DATABASE_URL=target))
    assert asyncio.run(snapshot(target)) == asyncio.run(snapshot(source))
    assert asyncio.run(broken_invariants(target)) == {}

    # Restoring over data is refused, in one line, and changes nothing.
    again = fablab("restore", str(dump), DATABASE_URL=target)
    assert again.returncode == 2 and len(again.stderr.strip().splitlines()) == 1
    assert "empty" in again.stderr
    assert asyncio.run(snapshot(target)) == asyncio.run(snapshot(source))


@pytest.mark.pg_engine  # on the suite's PostgreSQL (the others make clusters of their own)
def test_restore_of_a_missing_or_broken_file_says_so_in_one_line(two_databases, tmp_path):
    _, target = two_databases
    missing = fablab("restore", str(tmp_path / "nope.dump"), DATABASE_URL=target)
    assert missing.returncode == 2 and missing.stderr.strip() == f"fablab: no backup file {tmp_path / 'nope.dump'}"
    (tmp_path / "junk.dump").write_bytes(b"not a dump")
    junk = fablab("restore", str(tmp_path / "junk.dump"), DATABASE_URL=target)
    assert junk.returncode == 2 and len(junk.stderr.strip().splitlines()) == 1
    assert "pg_restore failed" in junk.stderr


@pytest.mark.pg_engine  # on the suite's PostgreSQL (the others make clusters of their own)
def test_migrate_backwards_asks_first_and_without_yes_changes_nothing(two_databases):
    url, _ = two_databases
    ok(fablab("migrate", DATABASE_URL=url))
    tables = lambda: len(asyncio.run(snapshot(url))) - 1  # noqa: E731 - minus the sequences entry
    count = tables()
    # No terminal to ask on (a script, cron): refused.
    refused = fablab("migrate", "--backwards", stdin="yes\n", DATABASE_URL=url)
    assert refused.returncode == 2 and "--yes" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert tables() == count > 10
    ok(fablab("migrate", "--backwards", "--yes", DATABASE_URL=url))
    assert tables() <= 1  # only Piccolo's own migration table is left
