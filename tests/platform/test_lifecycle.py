"""The embedded cluster's life cycle (issue 17): ownership, supervision, shutdown, slow clients.

Each test runs `fablab serve` on a data dir of its own, with the embedded PostgreSQL it starts.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

from fablab.platform.embedded_db import postmaster_pid
from tests.support.server import free_port
from tests.support.lifecycle import (
    ROOT, TableLock, book_one, free_room_slots, health_status, pg_url, postmasters_of, signed_in, start_app,
    wait_for_health,
)

pytestmark = pytest.mark.server


def test_kill_9_of_the_app_then_a_new_run_then_sigterm_leaves_no_postgres(started_data_dir):
    first = start_app(started_data_dir, started_data_dir / "first.log")
    orphan = postmaster_pid(started_data_dir / "pg")
    first.process.kill()
    first.process.wait()
    # What issue 17 saw: the killed app's PostgreSQL runs on, owned by nobody.
    assert postmasters_of(started_data_dir) == [orphan]

    second = start_app(started_data_dir, started_data_dir / "second.log")
    assert "adopting the PostgreSQL left running" in second.log()
    assert postmaster_pid(started_data_dir / "pg") == orphan  # adopted, not a second server
    assert second.stop() < 10
    assert postmasters_of(started_data_dir) == []


def test_a_second_server_on_a_used_data_dir_refuses_with_one_line(started_data_dir):
    first = start_app(started_data_dir, started_data_dir / "first.log")
    try:
        started = time.monotonic()
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        second = subprocess.run(
            [sys.executable, "-m", "fablab.cli", "serve", "--port", str(free_port())], cwd=ROOT, capture_output=True,
            text=True, timeout=60, env={**env, "FABLAB_DATA_DIR": str(started_data_dir)},
        )
        assert time.monotonic() - started < 10
        assert second.returncode != 0
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert f"PID {first.process.pid}" in lines[0] and f"port {first.port}" in lines[0], lines[0]
        # The first keeps serving, on the same PostgreSQL.
        assert health_status(first.base) == 200
        assert signed_in(first.base, "learner1").get("/api/me").status_code == 200
    finally:
        first.stop()
    assert postmasters_of(started_data_dir) == []


def test_two_servers_started_together_one_serves_and_the_other_says_why(data_dir):
    apps = [start_app(data_dir, data_dir / f"app{n}.log", wait=False) for n in range(2)]
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(a.process.poll() is not None for a in apps):
            time.sleep(0.2)
        [loser] = [a for a in apps if a.process.poll() is not None]
        [winner] = [a for a in apps if a is not loser]
        assert loser.process.returncode != 0
        assert "is already used by fablab serve" in loser.log(), loser.log()
        assert "initdb" not in loser.log() and "another server might be running" not in loser.log()
        wait_for_health(winner, 200, within=120)
    finally:
        for app in apps:
            if app.process.poll() is None:
                app.stop()
    assert postmasters_of(data_dir) == []


class Traffic:
    """Learners booking rooms in a loop (transactions in flight when PostgreSQL dies)."""

    def __init__(self, base: str, logins: list[str]) -> None:
        self.clients = [signed_in(base, login) for login in logins]
        self.slots = free_room_slots(self.clients[0])
        self.statuses: list[int | str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(client, n), daemon=True)
                         for n, client in enumerate(self.clients)]

    def _run(self, client: httpx.Client, n: int) -> None:
        i = n
        while not self._stop.is_set():
            slot = self.slots[i % len(self.slots)]
            i += len(self.clients)
            try:
                answer = client.post("/api/bookings", json={"site": "vlg", "kind": "room", "starts_at": slot["starts_at"],
                                                            "ends_at": slot["ends_at"]}, timeout=15)
                self.statuses.append(answer.status_code)
                if answer.status_code == 201:  # free the slot again, to keep writing
                    client.post(f"/api/bookings/{answer.json()['id']}/cancel", json={})
            except httpx.HTTPError as error:
                self.statuses.append(type(error).__name__)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=20)


@pytest.mark.parametrize("run", range(3))
def test_postmaster_killed_during_traffic_is_restarted_and_sigterm_still_exits(started_data_dir, run):
    app = start_app(started_data_dir, started_data_dir / "app.log")
    try:
        with Traffic(app.base, [f"learner{n}" for n in range(1, 9)]) as traffic:
            time.sleep(1.5)
            os.kill(postmaster_pid(started_data_dir / "pg"), signal.SIGKILL)
            killed = time.monotonic()
            wait_for_health(app, 200, within=10)
            healed_in = time.monotonic() - killed
            time.sleep(1)
        assert healed_in < 10
        assert traffic.statuses.count(201) > 0, traffic.statuses[:20]
        # Meanwhile answers were refusals or 503s, never a 500 or a hang.
        assert all(isinstance(s, int) and s != 500 for s in traffic.statuses), sorted(set(map(str, traffic.statuses)))
        clients = [signed_in(app.base, f"learner{n}") for n in range(1, 11)]
        assert book_one(clients, free_room_slots(clients[0])).status_code == 201
    finally:
        before_exit = len(app.log())
        exit_took = app.stop(within=10)
    assert exit_took < 10
    assert postmasters_of(started_data_dir) == []
    assert "Traceback" not in app.log(), app.log()
    assert "Error" not in app.log()[before_exit:], app.log()[before_exit:]


def test_a_client_that_sends_no_headers_is_cut_and_a_slow_request_is_not(started_data_dir):
    app = start_app(started_data_dir, started_data_dir / "app.log", FABLAB_HEADER_TIMEOUT_S="2")
    try:
        silent = [socket.create_connection(("127.0.0.1", app.port)) for _ in range(20)]
        dripping = socket.create_connection(("127.0.0.1", app.port))
        started = time.monotonic()
        dripping.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for _ in range(30):  # a header line every 0.2 s: each byte must not buy more time
            try:
                dripping.sendall(b"X-Slow: 1\r\n")
            except OSError:
                break
            time.sleep(0.2)
        for connection in [*silent, dripping]:
            connection.settimeout(10)
            try:
                answer = connection.recv(200)
            except ConnectionResetError:
                answer = b""
            assert answer.startswith(b"HTTP/1.1 408") or answer == b"", answer
            connection.close()
        assert time.monotonic() - started < 6
        # A request that takes longer than the deadline to answer is not cut (its head came in time),
        # and a keep-alive client may send another one.
        with httpx.Client(base_url=app.base, timeout=20) as client:
            # Shorter than the pool's lock_timeout (db.LOCK_TIMEOUT_S), longer than the header deadline.
            with TableLock(pg_url(started_data_dir), "site", seconds=3):
                started = time.monotonic()
                assert client.get("/api/sites").status_code == 200
                assert time.monotonic() - started > 2.5
            time.sleep(1)
            assert client.get("/health").status_code == 200
    finally:
        app.stop()
