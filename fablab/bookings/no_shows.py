"""No-shows (docs/ARCHITECTURE.md, Rules 5): a confirmed booking not picked up within its grace
period becomes `no_show`. The periodic job sweeps every site; availability and booking release
the units they look at lazily (queries.sweep_no_shows)."""

from __future__ import annotations

from datetime import datetime

from fablab.domain import clock
from fablab.bookings import queries

async def expire_no_shows(now: datetime | None = None) -> int:
    """Every site's overdue confirmed bookings become no_show (the periodic job)."""
    return await queries.sweep_no_shows(now or clock.now())
