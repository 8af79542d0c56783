"""What closing a site for some days does to the plans each domain holds for those days.

A closure (fablab/sites) lists, and on request cancels, what it hits: a learner's booking
(fablab/bookings), a workshop and its seats (fablab/workshops). Each such domain declares its
`ClosureEffect`s in `CLOSURE_EFFECTS` beside its ROUTES; fablab/routes_registry.py registers them.
fablab/sites asks here and names no domain: the next kind of plan is a declaration, not an edit of
the closure (tests/sites/test_closure_effects.py holds the closure to every registered effect).

A hook: imports no domain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Closing:
    site_id: int | None   # None: every site
    starts_on: date
    ends_on: date         # inclusive, in each site's own time zone
    reason: str
    now: datetime


@dataclass(frozen=True)
class ClosureEffect:
    # The plans' name in the closure's answers ("bookings", "workshops").
    name: str
    # What the days hit, at most `limit` rows, each with at least `id`.
    hit: Callable[[Closing, int], Awaitable[list[dict]]]
    # Cancel those rows (in the caller's transaction) and tell their people; the ids dealt with. A row
    # `hit` marked `shortened_to` (a loan by the day losing only its first or last days) is shortened
    # to it instead, and counted as shortened, not cancelled.
    cancel: Callable[[Closing, list[dict]], Awaitable[list[int]]]


_effects: dict[str, ClosureEffect] = {}


def register(effect: ClosureEffect) -> None:
    _effects[effect.name] = effect


def unregister(name: str) -> None:
    _effects.pop(name, None)


def effects() -> list[ClosureEffect]:
    return [_effects[name] for name in sorted(_effects)]
