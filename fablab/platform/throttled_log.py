"""Log a repeated identical error once per interval, with how many times it recurred meanwhile.

A full disk or a database outage fails every request the same way: a line (or a traceback) per
request grew the log by 11 MB in 30 s, which on a full disk makes things worse.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

INTERVAL_S = 60.0


@dataclass
class _Seen:
    logged_at: float
    suppressed: int = 0


class ThrottledLog:
    def __init__(self, logger: logging.Logger, interval_s: float = INTERVAL_S, clock=time.monotonic) -> None:
        self.logger, self.interval_s, self.clock = logger, interval_s, clock
        self._seen: dict[tuple, _Seen] = {}

    def log(self, level: int, key: tuple, message: str, *args, exc_info=None) -> bool:
        """Log unless the same key was logged less than an interval ago; True when it logged."""
        now = self.clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen.logged_at < self.interval_s:
            seen.suppressed += 1
            return False
        if seen is not None and seen.suppressed:
            message += f" (and {seen.suppressed} more times in the last {now - seen.logged_at:.0f} s)"
        if len(self._seen) > 1000:
            # Keys come from error types and messages; never let odd ones grow the dict without bound.
            self._seen.clear()
        self._seen[key] = _Seen(logged_at=now)
        self.logger.log(level, message, *args, exc_info=exc_info)
        return True


class ThrottleFilter(logging.Filter):
    """The same throttling for a library's logger (asyncpg's pool logs a traceback a second while
    PostgreSQL is down): records with the same message template pass once per interval, with the
    exception's name instead of its traceback."""

    def __init__(self, interval_s: float = INTERVAL_S, clock=time.monotonic) -> None:
        super().__init__()
        self.interval_s, self.clock = interval_s, clock
        self._last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        key = str(record.msg)
        last = self._last.get(key)
        if last is not None and now - last < self.interval_s:
            return False
        if len(self._last) > 1000:
            self._last.clear()
        self._last[key] = now
        if record.exc_info and record.exc_info[1] is not None:
            # The exception's name says enough (ConnectionRefusedError); its traceback is asyncpg's.
            record.msg, record.args = f"{record.getMessage()} ({type(record.exc_info[1]).__name__})", ()
            record.exc_info, record.exc_text = None, None
        return True
