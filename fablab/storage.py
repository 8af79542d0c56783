"""Whether PostgreSQL recently refused a write for lack of disk space, for /health to say so."""

from __future__ import annotations

import time

# A full disk is reported for this long after the last refused write: clients retrying keep it
# fresh while the disk stays full, and it clears by itself once writes stop failing.
REPORT_FOR_S = 15.0

_last_disk_full: float | None = None


def note_disk_full() -> None:
    global _last_disk_full
    _last_disk_full = time.monotonic()


def disk_full_recently() -> bool:
    return _last_disk_full is not None and time.monotonic() - _last_disk_full < REPORT_FOR_S
