"""`fablab serve` on an embedded cluster of its own, for the life-cycle fault tests."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from fablab.platform.embedded_db import postmaster_pid
from tests.support.demo_passwords import CHEAPEN_DEMO_USERS, cheap_demo_hash
from tests.support.paths import ROOT
from tests.support.server import SECRET_KEY, free_port

DEMO_PASSWORD = "fablab-demo"


@dataclass
class App:
    process: subprocess.Popen
    port: int
    data_dir: Path
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, within: float = 10) -> float:
        """SIGTERM, as systemd sends; returns how long the exit took (fails beyond `within`)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"SIGTERM did not stop the server within {within} s:\n{self.log()[-3000:]}")
        assert code == 0, f"exit code {code}:\n{self.log()[-3000:]}"
        return time.monotonic() - started


def start_app(data_dir: Path, log_path: Path, *, port: int | None = None, workers: int = 1, wait: bool = True,
              **env_overrides) -> App:
    port = port or free_port()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update({"FABLAB_DATA_DIR": str(data_dir), "FABLAB_BASE_URL": f"http://127.0.0.1:{port}",
                "FABLAB_SECRET_KEY": SECRET_KEY, "FABLAB_LOG_LEVEL": "warning", **env_overrides})
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "fablab.cli", "serve", "--port", str(port), "--workers", str(workers),
             "--seed-demo-if-empty"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    app = App(process=process, port=port, data_dir=data_dir, log_path=log_path)
    if wait:
        wait_for_health(app, 200, within=120)
    return app


def health_status(base: str, timeout: float = 5) -> int | str:
    try:
        return httpx.get(f"{base}/health", timeout=timeout).status_code
    except httpx.HTTPError as error:
        return type(error).__name__


def wait_for_health(app: App, status: int, within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if health_status(app.base, timeout=2) == status:
            return time.monotonic() - started
        if app.process.poll() is not None:
            raise AssertionError(f"the server exited ({app.process.returncode}):\n{app.log()[-3000:]}")
        time.sleep(0.2)
    raise AssertionError(f"/health did not answer {status} within {within} s:\n{app.log()[-3000:]}")


def postmasters_of(data_dir: Path) -> list[int]:
    """Every live postmaster running on this data dir (by its command line), and the pid file's."""
    pgdata = str(data_dir / "pg")
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and command and command[0].endswith(b"postgres") and pgdata.encode() in command:
            found.add(int(entry.name))
    pid = postmaster_pid(data_dir / "pg")
    if pid is not None:
        found.add(pid)
    return sorted(found)


def pg_url(data_dir: Path, database: str = "fablab") -> str:
    """The URL of the embedded PostgreSQL a server runs on this data dir."""
    port = int((data_dir / "pg" / "postmaster.pid").read_text().splitlines()[3])
    return f"postgresql://postgres@127.0.0.1:{port}/{database}"


class TableLock:
    """Hold a table's ACCESS EXCLUSIVE lock for `seconds`, from a thread, on a connection of its own."""

    def __init__(self, url: str, table: str, seconds: float) -> None:
        self.url, self.table, self.seconds = url, table, seconds
        self.taken = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._hold()), daemon=True)

    async def _hold(self) -> None:
        connection = await asyncpg.connect(self.url)
        try:
            async with connection.transaction():
                await connection.execute(f'LOCK TABLE "{self.table}" IN ACCESS EXCLUSIVE MODE')
                self.taken.set()
                await asyncio.sleep(self.seconds)
        finally:
            await connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.taken.wait(10)
        return self

    def __exit__(self, *exc_info):
        self.thread.join(timeout=self.seconds + 10)


def signed_in(base: str, login: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=15)
    client.get("/health")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    response = client.post("/api/auth/login", json={"login": login, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return client


def free_room_slots(client: httpx.Client, days_ahead: range = range(1, 8)) -> list[dict]:
    """Free room slots at Villeneuve-la-Garenne in the coming days."""
    slots = []
    for offset in days_ahead:
        day = (date.today() + timedelta(days=offset)).isoformat()
        answer = client.get("/api/availability", params={"site": "vlg", "kind": "room", "date": day})
        if answer.status_code == 200:
            slots += [slot for slot in answer.json()["slots"] if slot["free"] > 0]
    return slots


def book_one(clients: list[httpx.Client], slots: list[dict]) -> httpx.Response:
    """A room booking that succeeds: the first slot some client may take (quotas vary by learner)."""
    last = None
    for slot in slots:
        for client in clients:
            last = client.post("/api/bookings", json={"site": "vlg", "kind": "room", "starts_at": slot["starts_at"],
                                                      "ends_at": slot["ends_at"], "purpose": "test"})
            if last.status_code == 201:
                return last
            if last.status_code >= 500:
                return last
    raise AssertionError(f"no booking possible: {last.status_code if last else 'no slot'} {last.text if last else ''}")


def _new_data_dir(prefix: str = "fablab-life-") -> Path:
    """Outside pytest's tmp_path: pytest keeps /tmp/pytest-of-root at mode 700 (again at each session
    start, by any engineer's run), which the embedded cluster's system user cannot cross."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


@pytest.fixture
def data_dir():
    """An empty data dir: the server's first start (initdb, migrations, demo data) happens in the test."""
    path = _new_data_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


async def _cheapen_demo_passwords(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(CHEAPEN_DEMO_USERS, cheap_demo_hash())
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def _data_dir_started_once():
    """A data dir a server has started on once (initdb, migrations, demo data) and left by SIGTERM;
    made once per process."""
    path = _new_data_dir("fablab-life-template-")
    app = start_app(path, path / "first.log")
    asyncio.run(_cheapen_demo_passwords(pg_url(path)))  # the tests sign in dozens of times
    app.stop()
    (path / "first.log").unlink()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def started_data_dir(_data_dir_started_once):
    """A copy of a data dir a server has already run on, as after any restart in production: for the
    tests about a later start, which need not pay initdb, the migrations and the seed each time
    (about 5 s a start). `cp -a` keeps the cluster's owner (the embedded PostgreSQL's system user)."""
    path = _new_data_dir()
    subprocess.run(["cp", "-a", f"{_data_dir_started_once}/.", str(path)], check=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


# PostgreSQL's own words when it cannot extend a table, and its SQLSTATE: what asyncpg raises as
# DiskFullError. Raised by a trigger, it is the fault of a full disk without filling one.
DISK_FULL_STATEMENTS = [
    """CREATE FUNCTION fault_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'could not extend file "base/16384/16999": No space left on device' USING ERRCODE = 'disk_full';
END $$""",
    "CREATE TRIGGER fault_disk_full BEFORE INSERT OR UPDATE ON booking FOR EACH ROW EXECUTE FUNCTION fault_disk_full()",
]
DISK_FULL_TRIGGER = ";\n".join(DISK_FULL_STATEMENTS)
SPACE_RETURNS = "DROP TRIGGER fault_disk_full ON booking; DROP FUNCTION fault_disk_full();"
