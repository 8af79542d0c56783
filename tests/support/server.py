"""`fablab serve` as a subprocess on a free loopback port, and the memory of its workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    base: str
    port: int
    process: subprocess.Popen

    def worker_pids(self) -> list[int]:
        """The processes serving requests: uvicorn's children with several workers, else itself."""
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(entry.name))
        # uvicorn's multiprocess supervisor also starts a resource tracker; workers run our app.
        workers = [pid for pid in children if b"spawn_main" in _cmdline(pid)]
        return workers or [self.process.pid]

    def rss_mib(self) -> dict[int, float]:
        return {pid: _rss_kib(pid) / 1024 for pid in self.worker_pids()}


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _rss_kib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return float(line.split()[1])
    return 0.0


def wait_healthy(base: str, process: subprocess.Popen, within: float = 180) -> None:
    # A start takes seconds on a quiet machine; on a loaded one (two workers of tests, browsers, other
    # runs) the workers' imports alone took over a minute, and a test's server must not fail for that.
    deadline = time.monotonic() + within
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=3).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = process.stdout.read().decode(errors="replace")[-3000:] if process.stdout else ""
            raise RuntimeError(f"the server did not start:\n{output}")
        time.sleep(0.2)


@contextmanager
def serve(database_url: str, *, workers: int = 1, bench_routes: bool = False, log=None, **env_overrides):
    """Run `fablab serve --workers N` until the block ends; yields a Server.

    Its output goes to `log` (a file) when given, so a long run cannot fill a pipe and block it.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": database_url, "FABLAB_BASE_URL": base,
           "FABLAB_SECRET_KEY": os.environ.get("FABLAB_SECRET_KEY", SECRET_KEY),
           "FABLAB_LOG_LEVEL": "warning", **env_overrides}
    if bench_routes:
        env["FABLAB_BENCH_ROUTES"] = "1"
    process = subprocess.Popen(
        [sys.executable, "-m", "fablab.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, cwd=ROOT, stdout=log or subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(base, process)
        yield Server(base=base, port=port, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
