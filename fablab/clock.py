"""The one clock: `now()` is the current instant, aware, in UTC.

Call it as `clock.now()` after `from fablab import clock` (never `from fablab.clock import now`):
a test that freezes time with `monkeypatch.setattr(clock, "now", ...)` then freezes it for every
module at once. Functions that decide by the time take `now=` as an argument where tests pass
their own instant; this is the default they fall back to.
"""

from __future__ import annotations

from datetime import datetime, timezone

UTC = timezone.utc


def now() -> datetime:
    return datetime.now(UTC)
