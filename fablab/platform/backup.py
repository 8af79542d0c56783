"""`fablab backup FILE` and `fablab restore FILE`: a whole database through pg_dump and pg_restore.

The embedded cluster (PostgreSQL 18) is dumped with its own bundled tools; the system's pg_dump 15
refuses a newer server. For DATABASE_URL the system's tools are used when they are recent enough for
that server, else the bundled ones (pg_dump and pg_restore work with servers older than themselves).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from fablab.platform.embedded_db import EmbeddedPostgresError, bin_dir, one_line_reason

TOOL_TIMEOUT_S = 3600


class BackupError(RuntimeError):
    """A backup or a restore could not be done; the message (one line) says why."""


def _major(tool: Path) -> int | None:
    try:
        output = subprocess.run([str(tool), "--version"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return None
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(found.group(1)) if found else None


def _candidates(name: str, prefer_bundled: bool) -> list[Path]:
    system = [Path(found)] if (found := shutil.which(name)) else []
    system += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    try:
        bundled = [bin_dir() / name]
    except EmbeddedPostgresError:
        bundled = []
    return bundled + system if prefer_bundled else system + bundled


def pick_tool(name: str, server_major: int, prefer_bundled: bool) -> Path:
    """The first pg_dump / pg_restore at least as new as the server."""
    for tool in _candidates(name, prefer_bundled):
        major = _major(tool)
        if major is not None and major >= server_major:
            return tool
    raise BackupError(f"no {name} for PostgreSQL {server_major} or newer: install the postgresql-client package")


async def _server_facts(url: str) -> tuple[int, int]:
    """(server major version, number of tables in the public schema)."""
    connection = await asyncpg.connect(url, timeout=10)
    try:
        version = await connection.fetchval("SELECT current_setting('server_version_num')::int")
        tables = await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await connection.close()
    return version // 10000, tables


def _without_password(url: str) -> tuple[str, dict]:
    """The URL without its password, which goes in PGPASSWORD instead (command lines are public in ps)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, {}
    netloc = parts.hostname or ""
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), {"PGPASSWORD": parts.password}


def _run(args: list[str], url_env: dict) -> None:
    try:
        subprocess.run(args, check=True, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S,
                       env={**os.environ, **url_env})
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{Path(args[0]).name} failed: {one_line_reason(error.stderr or error.stdout)}") from None
    except subprocess.TimeoutExpired:
        raise BackupError(f"{Path(args[0]).name} did not finish in {TOOL_TIMEOUT_S} s") from None


def backup(url: str, file: str | os.PathLike, *, embedded: bool) -> int:
    """Dump the database to `file` (written whole or not at all); returns its size in bytes."""
    major, _ = asyncio.run(_server_facts(url))
    tool = pick_tool("pg_dump", major, prefer_bundled=embedded)
    target = Path(file)
    partial = target.with_name(target.name + ".partial")
    dsn, env = _without_password(url)
    try:
        _run([str(tool), "--format=custom", f"--file={partial}", f"--dbname={dsn}"], env)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def restore(url: str, file: str | os.PathLike, *, embedded: bool) -> None:
    """Load a dump into the database, which must be empty; all or nothing (one transaction)."""
    major, tables = asyncio.run(_server_facts(url))
    if tables:
        raise BackupError(f"the database already has {tables} tables: restore into an empty one "
                          "(a new FABLAB_DATA_DIR, or a new database in DATABASE_URL)")
    tool = pick_tool("pg_restore", major, prefer_bundled=embedded)
    dsn, env = _without_password(url)
    _run([str(tool), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={dsn}", str(file)], env)
