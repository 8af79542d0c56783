"""Start-up and outages: one-line reasons for bad settings, 503 while PostgreSQL is down."""

import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta

import httpx
import pytest

from fablab.domain import clock
from fablab.platform import db
from fablab.platform.embedded_db import start_embedded
from tests.support.paths import ROOT
from tests.support.reports import add_booking
from tests.support.server import free_port, serve

pytestmark = pytest.mark.server


def run_cli(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "fablab.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize("name, value", [
    ("FABLAB_PORT", "eighty"),
    ("FABLAB_WORKERS", "0"),
    ("FABLAB_BASE_URL", "ftp://nowhere"),
    ("DATABASE_URL", "mysql://localhost/fablab"),
    ("FABLAB_SECRET_KEY", "short"),
    ("FABLAB_SMTP_PORT", "smtp"),
    ("FABLAB_HEADER_TIMEOUT_S", "soon"),
    ("FABLAB_HEADER_TIMEOUT_S", "0"),
])
def test_bad_setting_stops_with_one_line(name, value):
    # The SMTP port is only read when a mail host is set.
    result = run_cli("serve", FABLAB_SMTP_HOST="mail.example.org", FABLAB_SMTP_FROM="fablab@example.org",
                     **{name: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], result.stderr


def test_unreachable_database_stops_with_one_line():
    result = run_cli("serve", DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/fablab")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot connect to the database" in lines[0], result.stderr


def wait_for_status(url: str, status: int, within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        try:
            if httpx.get(url, timeout=5).status_code == status:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer {status} within {within} s")


def test_health_is_503_while_database_is_down_and_recovers(data_dir):
    server = start_embedded(data_dir)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fablab.cli", "serve", "--port", str(port)], cwd=ROOT,
        env={**os.environ, "DATABASE_URL": server.url(), "FABLAB_BASE_URL": f"http://127.0.0.1:{port}",
             "FABLAB_LOG_LEVEL": "warning"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    health = f"http://127.0.0.1:{port}/health"
    try:
        wait_for_status(health, 200, within=30)
        server.stop()
        started = time.monotonic()
        response = httpx.get(health, timeout=10)
        assert time.monotonic() - started < 5
        assert response.status_code == 503
        assert response.json() == {"status": "degraded", "database": "down"}
        api = httpx.get(f"http://127.0.0.1:{port}/api/me", cookies={"fablab_session": "x"}, timeout=10)
        assert api.status_code == 503 and api.json()["code"] == "database_unavailable"
        server = start_embedded(data_dir, port=server.port)
        assert wait_for_status(health, 200, within=10) < 5
    finally:
        process.terminate()
        process.wait(timeout=15)
        server.stop()


def postgres_running(pgdata) -> bool:
    return (pgdata / "postmaster.pid").exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_stops_the_server_and_its_embedded_postgres(started_data_dir, workers):
    # systemd and container runtimes stop services with SIGTERM: the embedded cluster must stop too,
    # not stay behind holding the data directory.
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "fablab.cli", "serve", "--port", str(port), "--workers", str(workers)], cwd=ROOT,
        env={**env, "FABLAB_DATA_DIR": str(started_data_dir), "FABLAB_BASE_URL": f"http://127.0.0.1:{port}",
             "FABLAB_LOG_LEVEL": "warning"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_status(f"http://127.0.0.1:{port}/health", 200, within=120)
        assert postgres_running(started_data_dir / "pg")
        process.terminate()
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not postgres_running(started_data_dir / "pg")


@pytest.mark.parametrize("setting, runs", [("off", False), ("on", True)])
async def test_periodic_jobs_run_unless_turned_off(database_url, demo, setting, runs):
    """FABLAB_PERIODIC_JOBS=off: a server that leaves the database alone (the suite's shared server,
    whose jobs on the real clock once purged a test's sent-log). A job runs as soon as a server starts:
    the no-show sweep releases a booking that began two hours ago and was never picked up."""
    learner = demo["learners"]["vlg"][0]
    laptop = demo["sites"]["vlg"]["resources"]["laptop"][0]
    began = clock.now() - timedelta(hours=2)
    booking = await add_booking(laptop, learner, began, began + timedelta(hours=4), "confirmed")
    with serve(database_url, workers=1, FABLAB_PERIODIC_JOBS=setting):
        status = await db.fetchval("SELECT status FROM booking WHERE id = $1", booking)
        deadline = time.monotonic() + 10
        while runs and status == "confirmed" and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            status = await db.fetchval("SELECT status FROM booking WHERE id = $1", booking)
        if not runs:
            await asyncio.sleep(1.5)  # the jobs start with the server: given time, they would have run
            status = await db.fetchval("SELECT status FROM booking WHERE id = $1", booking)
    assert status == ("no_show" if runs else "confirmed")
