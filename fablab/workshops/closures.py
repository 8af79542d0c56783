"""What time and closures do to workshops: holds that end give their seats to the waiting list (a
periodic job, besides every sign-up doing it), and a site closure cancels the days' workshops."""

from __future__ import annotations

from datetime import datetime

from fablab.domain import clock
from fablab.platform import db
from fablab.hooks.closure_effects import ClosureEffect, Closing
from fablab.platform.db import DB
from fablab.workshops import queries, seats
from fablab.workshops.schedule import cancel_locked


async def release_due_holds(now: datetime | None = None) -> int:
    """Each workshop whose hold's time is over, one transaction each: the hold's untaken seats go
    to everyone, first to the waiting list. The registrations seated."""
    now = now or clock.now()
    seated = 0
    for row in await db.fetch(queries.WORKSHOPS_WITH_HOLDS_DUE, now):
        async with DB.transaction():
            workshop = await seats.lock_workshop(row["workshop_id"])
            if workshop["status"] == "scheduled" and workshop["starts_at"] > now:
                seated += len(await seats.fill(workshop, now))
            else:
                await db.fetch(queries.RELEASE_HOLDS, workshop["id"], now)
    return seated


async def hit_by_closure(closing: Closing, limit: int) -> list[dict]:
    """The scheduled workshops starting on the closed days (in their site's time)."""
    return await db.fetch(queries.CLOSURE_HITS, closing.site_id, closing.starts_on, closing.ends_on, closing.now,
                          limit)


async def cancel_hit_by_closure(closing: Closing, hit: list[dict]) -> list[int]:
    """In the closure's transaction, in id order: each workshop cancelled with the closure's reason,
    its sign-ups with it (their people see it in the app), its room's booking as a closure's."""
    cancelled = []
    for workshop_id in sorted(row["id"] for row in hit):
        workshop = await seats.lock_workshop(workshop_id)
        if workshop is None or workshop["status"] != "scheduled":
            continue
        await cancel_locked(workshop, note=closing.reason, now=closing.now, closure=True)
        cancelled.append(workshop_id)
    return cancelled


CLOSURE_EFFECT = ClosureEffect("workshops", hit=hit_by_closure, cancel=cancel_hit_by_closure)
