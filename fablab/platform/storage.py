"""Whether the database's disk is full, for /health to say so (probed, not guessed from a timer).

With the embedded PostgreSQL the disk is ours to look at: /health reads its free space, so it says
"full" on a full disk even when no write has failed yet, and "ok" as soon as space returns. With a
DATABASE_URL the disk is on another host: a write PostgreSQL refused for lack of space marks it full
until a transaction that wrote commits again. (A 15 s timer used to decide both: "ok" on a disk
still full once nobody had written for 15 s, "full" for 15 s after writes succeeded; issue 27.)
"""

from __future__ import annotations

import os

# Set by `fablab serve` for its workers: the embedded cluster's directory.
DATABASE_DIR_ENV = "FABLAB_DATABASE_DIR"
# Below this, PostgreSQL soon fails: it needs a whole 16 MB WAL segment at a time, and room to
# extend tables and write temporary files.
MIN_FREE_BYTES = 64 * 1024 * 1024

_refused = False


def note_disk_full() -> None:
    global _refused
    _refused = True


def note_write_committed() -> None:
    global _refused
    _refused = False


def refused_since_last_write() -> bool:
    """True after PostgreSQL refused a write for lack of space, until a write commits again."""
    return _refused


def free_bytes(path: str) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def disk_full() -> bool:
    path = os.environ.get(DATABASE_DIR_ENV)
    if path:
        try:
            return free_bytes(path) < MIN_FREE_BYTES
        except OSError:  # the directory is gone or unreadable: not a question of space
            return False
    return _refused
