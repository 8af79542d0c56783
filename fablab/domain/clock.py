"""The one clock: `now()` is the current instant, aware, in UTC.

Call it as `clock.now()` after `from fablab.domain import clock` (never `from fablab.domain.clock import now`),
so a test can move time: `monkeypatch.setattr(clock, "now", ...)` for every module at once, or
`monkeypatch.setattr(feeds, "clock", SimpleNamespace(now=...))` for one module's view of it (the
feed tests move the feeds' window and leave sessions on the real time). Functions that decide by
the time take `now=` as an argument where tests pass their own instant; this is their default.
"""

from __future__ import annotations

from datetime import datetime, timezone

UTC = timezone.utc


def now() -> datetime:
    return datetime.now(UTC)
