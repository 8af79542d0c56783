"""Whether a unit may be booked or lent now, beyond its own status.

The domains that can say no about the *unit* (today: a maintenance plan that refuses bookings while
the item's maintenance is overdue) each declare a `UnitGate` in `UNIT_GATES`, beside their ROUTES and
JOBS; fablab/routes_registry.py hands them to `register` as the app is assembled. The booking engine
and the desk ask this module, never the domains behind it (fablab/hooks/admission.py does the same for
what can say no about the *person*).

A gate answers in two steps because booking is the hot path: `may_refuse(alias)` is a cheap SQL
test on the unit row that the writer reads in the statement it runs anyway; only when it is true is
the gate asked for its verdict (which may cost a query of its own).

A hook: imports no domain. The SQL built from the gates is built lazily (`signature()` is part of
its cache key), since the writers' modules are imported before the gates are registered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class UnitGate:
    name: str
    # SQL: a boolean about the unit row `alias` (with id, site_id, kind): whether the gate may refuse it.
    may_refuse: Callable[[str], str]
    # Raises the refusal (a 4xx of fablab/domain/errors with its own code) for this unit now, or returns.
    require_open: Callable[[int, str, datetime], Awaitable[None]]
    # Whether the gate refuses the unit now (the desk's return decides where the item goes).
    refuses_now: Callable[[int, datetime], Awaitable[bool]]
    # The units of a site's kind the gate refuses now (booking by kind skips them).
    refused_units: Callable[[int, str, datetime], Awaitable[set[int]]]


_gates: dict[str, UnitGate] = {}


def register(gate: UnitGate) -> None:
    """Once per gate, by name (assembling the app twice adds nothing)."""
    _gates[gate.name] = gate


def signature() -> tuple[str, ...]:
    """The registered gates' names: the key of the SQL built from them."""
    return tuple(sorted(_gates))


def may_refuse_sql(alias: str) -> str:
    """SQL: whether any gate may refuse the unit row `alias` (false when none is registered)."""
    tests = [_gates[name].may_refuse(alias) for name in signature()]
    return "(" + " OR ".join(tests) + ")" if tests else "false"


async def require_open(resource_id: int, tag: str, now: datetime) -> None:
    for name in signature():
        await _gates[name].require_open(resource_id, tag, now)


async def refuses_now(resource_id: int, now: datetime) -> bool:
    for name in signature():
        if await _gates[name].refuses_now(resource_id, now):
            return True
    return False


async def refused_units(site_id: int, kind: str, now: datetime) -> set[int]:
    refused: set[int] = set()
    for name in signature():
        refused |= await _gates[name].refused_units(site_id, kind, now)
    return refused
