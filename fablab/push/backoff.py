"""When a push refused with 429 or 5xx is tried again (no I/O)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
# A Retry-After beyond this is not believed: the reminder would be stale by then anyway.
MAX_RETRY_AFTER = timedelta(hours=6)
# After this many tries the delivery is given up (the event has usually passed long before).
MAX_ATTEMPTS = 10


def retry_after_delay(header: str | None, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); None when absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        delay = timedelta(seconds=int(header))
    else:
        try:
            when = parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        delay = when - now
    return max(timedelta(0), min(delay, MAX_RETRY_AFTER))


def next_try(attempts: int, now: datetime, retry_after: str | None = None) -> datetime | None:
    """When to try again after `attempts` failed tries; None once it is time to give up.

    Doubling from 30 s up to an hour, or the push service's Retry-After when it asks for longer.
    """
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)
    asked = retry_after_delay(retry_after, now)
    if asked is not None:
        delay = max(delay, asked)
    return now + delay
