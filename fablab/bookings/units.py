"""Which units of a kind are free, least used first, and the per-unit insert lock every writer of a
booking takes: shared by creating, moving and series occurrences."""

from __future__ import annotations

import functools
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from fablab.hooks import unit_gates
from fablab.platform import db
from fablab.bookings import queries
from fablab.sites.calendar import Policy
from fablab.sites import queries as site_queries

T = TypeVar("T")
# "Least used first" counts bookings this far back and ahead (bounded, so long histories cost nothing).
USAGE_WINDOW = timedelta(days=30)

# Key class of the advisory lock a booking INSERT takes on its unit (pg_advisory_xact_lock(int,
# int), a key space of its own).
UNIT_INSERT_LOCK = 7001


# Free units of a kind for a period, with how often each was booked lately ("least used first").
# Uses the exclusion constraint's predicate and range expression (queries.HOLDING) so its GiST
# index answers the NOT EXISTS.
_FREE_UNITS = """
SELECT r.id, r.tag,
       (SELECT count(*) FROM booking u WHERE u.resource_id = r.id AND u.starts_at >= $5 AND u.starts_at < $6
           AND u.status IN ('confirmed', 'checked_out', 'returned')) AS recent_uses,
       {gates} AS gates_may_refuse
FROM resource r
WHERE r.site_id = $1 AND r.kind = $2 AND r.status = 'available'
  AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.resource_id = r.id AND {holding})
"""


@functools.lru_cache(maxsize=4)
def _free_units_sql(gates: tuple[str, ...]) -> str:
    # Built on first use, once the gates are registered (their names are the cache key).
    return _FREE_UNITS.format(holding=queries.holding("b", "$3", "$4"), gates=unit_gates.may_refuse_sql("r"))


async def take_free_units(*, site_id: int, kind: str, starts_at: datetime, ends_at: datetime, quantity: int,
                           now: datetime, insert: Callable[[dict, Policy], Awaitable[T | None]]) -> list[T]:
    """The "any free unit of a kind" loop: `insert` on the free units, least used first, until
    `quantity` of them are booked (fewer when too few are free). Ties go in random order, so
    simultaneous requests spread over the free units instead of all racing for the first one.
    insert(unit, its policy) books one unit in a savepoint of its own; None on a lost race."""
    policy = await site_queries.policy_for(site_id, kind)
    candidates = await db.fetch(_free_units_sql(unit_gates.signature()), site_id, kind, starts_at, ends_at + policy.buffer,
                                now - USAGE_WINDOW, now + USAGE_WINDOW)
    if any(unit["gates_may_refuse"] for unit in candidates):
        # Units a gate refuses now (e.g. a maintenance overdue that refuses bookings) are not offered.
        refused = await unit_gates.refused_units(site_id, kind, now)
        candidates = [unit for unit in candidates if unit["id"] not in refused]
    random.shuffle(candidates)
    candidates.sort(key=lambda row: row["recent_uses"])
    taken: list[T] = []
    for unit in candidates:
        if len(taken) == quantity:
            break
        unit_policy = await site_queries.policy_for(site_id, kind, unit["id"])
        row = await insert({"id": unit["id"], "site_id": site_id, "kind": kind}, unit_policy)
        if row is not None:
            taken.append(row)
    return taken


async def hold_insert_locks(unit_ids: list[int]) -> None:
    """The units' insert locks, in id order (unnest keeps the array's), before moving bookings of
    them: a booking of one of these units then waits for the move instead of deadlocking with it
    in the exclusion check."""
    await db.fetch(f"SELECT pg_advisory_xact_lock({UNIT_INSERT_LOCK}, unit) FROM unnest($1::int[]) AS unit",
                   sorted(set(unit_ids)))
