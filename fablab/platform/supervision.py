"""The server's processes: workers that die with their parent, and a start that ends an earlier run's.

`fablab serve --workers N` is a parent process (uvicorn's supervisor) and N workers. Killed with
kill -9, the parent used to leave its workers running under PID 1, still holding the port: the next
start could not bind it, and on its way out stopped the PostgreSQL the orphans were using (issue 27).
Now each worker asks the kernel for SIGTERM when its parent dies (prctl PR_SET_PDEATHSIG), and every
process of a run writes itself into $FABLAB_DATA_DIR/serve.pids, so a new start (holding the data
dir's lock, hence sure the earlier run is gone) ends whatever is still alive of it first.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import time
from pathlib import Path

from uvicorn.supervisors.multiprocess import Multiprocess

log = logging.getLogger("fablab.supervision")

PIDS_NAME = "serve.pids"
# Workers learn the file from the parent's environment (they are spawned, not forked).
PIDS_ENV = "FABLAB_SERVE_PIDS"
_PR_SET_PDEATHSIG = 1
# How long an earlier run's process gets to stop on SIGTERM before SIGKILL.
END_WITHIN_S = 5.0


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (/proc/PID/stat field 22): with the PID, it names one
    process for good, where a PID alone may have been reused since."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def record_self(path: Path | str | None = None) -> None:
    """Add this process to the run's list (one short line, appended atomically)."""
    path = path or os.environ.get(PIDS_ENV)
    started = _start_time(os.getpid())
    if not path or started is None:
        return
    with open(path, "a") as pids:
        pids.write(f"{os.getpid()} {started}\n")


def end_earlier_run(data_dir: Path) -> list[int]:
    """End the processes an earlier run on this data dir left alive, then start the list afresh.

    Only called by the data dir's owner: the earlier run's parent is dead (it held the lock).
    """
    path = data_dir / PIDS_NAME
    try:
        lines = path.read_text().splitlines()
    except OSError:
        lines = []
    left = []
    for line in lines:
        try:
            pid, started = int(line.split()[0]), line.split()[1]
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and _start_time(pid) == started:
            left.append(pid)
    for pid in left:
        log.warning("fablab: ending process %s left running by an earlier run", pid)
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + END_WITHIN_S
    while any(_start_time(pid) for pid in left) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        if _start_time(pid):
            _signal(pid, signal.SIGKILL)
    path.write_text("")
    os.environ[PIDS_ENV] = str(path)
    record_self(path)
    return left


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def die_with_parent() -> None:
    """In a spawned worker: SIGTERM (uvicorn's graceful exit) as soon as the parent dies."""
    parent = multiprocessing.parent_process()
    if parent is None:  # one worker: the server is the process itself
        return
    record_self()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # pragma: no cover - Linux only; elsewhere nothing is asked
        return
    if os.getppid() != parent.pid:  # the parent died before the request was in place
        os.kill(os.getpid(), signal.SIGTERM)


class Supervisor(Multiprocess):
    """uvicorn's supervisor, which stops listening as soon as it is told to stop.

    The listening socket is shared by the parent and every worker: a worker closing its copy on
    SIGTERM leaves the others listening, so connections opened during the shutdown were accepted by
    the kernel, then reset. shutdown() acts on the socket itself, for every process at once: new
    connections are refused, as with one worker, while requests in progress finish.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # At the signal itself: uvicorn's loop looks at its queue of signals only between health
        # checks of its workers, seconds apart on a loaded machine.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_stop_signal)

    def _on_stop_signal(self, sig, frame) -> None:
        self._stop_listening()
        self.signal_queue.append(sig)

    def _stop_listening(self) -> None:
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RD)
            except OSError:
                pass
