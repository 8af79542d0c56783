"""Whether a person may take something now: a booking, a loan at the desk, a workshop seat.

The domains that can say no about the *person* (a suspension for late returns, a training that
lapsed, a minor's missing consent, a minimum age) each declare their checks in `ADMISSION`, beside
their ROUTES and JOBS; fablab/routes_registry.py hands them to `register` as the app is assembled.
Every writer (bookings, the desk's check-out, workshop sign-ups) calls `admit` in its transaction,
before it writes. The writers never import the domains that check: a new rule is a declaration,
not an edit of three workflows (tests/bookings/test_admission.py holds the writers to it).

A check (`Check`) has a verdict, which raises the refusal itself (a 4xx from fablab/domain/errors with its
own code) or returns None, and a probe: SQL that is true whenever the verdict could refuse. The
probes of every check are read in one statement (in the writer's own context read where it has one),
and only the verdicts whose probe holds are asked: most people are never refused, and a read per
check inside every booking's transaction is what the hot path cannot pay.
A hook: imports no domain.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from fablab.domain import clock
from fablab.platform import db

# "attendance": a person marked present at a workshop (a visitor's pass must still cover its day: issue 30).
What = Literal["booking", "loan", "workshop", "attendance"]


@dataclass(frozen=True)
class Taking:
    person_id: int          # who will hold the thing or the seat
    site_id: int
    what: What
    starts_at: datetime
    ends_at: datetime
    actor_id: int           # who does it: the person themselves, or staff for them
    actor_is_staff: bool    # a trainer's booking may pass a minimum age (issue 30)
    kind: str | None = None            # the item's kind (bookings, loans)
    resource_id: int | None = None
    workshop_id: int | None = None
    # False: the staff override of the booking rules. Each check says whether it yields to it
    # (a guardian's consent never does).
    enforce_policy: bool = True


Verdict = Callable[[Taking], Awaitable[None]]


@dataclass(frozen=True)
class TakingSql:
    """SQL expressions for a taking's facts, inside the statement that reads the probes: a writer
    that already runs a statement on the booking path puts the probes in it (its own columns and
    parameters), `admit` otherwise reads them in one statement of its own."""
    person: str
    site: str
    kind: str
    resource: str
    starts_at: str
    now: str


@dataclass(frozen=True)
class Check:
    """A domain's say about the person. `verdict` raises the refusal (a 4xx from fablab/domain/errors with
    its own code) or returns. `may_refuse` is SQL: a boolean that is true whenever the verdict could
    refuse (it may be true when it does not); when it is false the verdict is not asked. Booking is
    the hot path: each verdict reads the database, and most people are never refused, so the probes
    of every check are read in one statement (measured: a read per check cost POST /api/bookings a
    third of its throughput) and only the checks whose probe holds read more."""
    verdict: Verdict
    may_refuse: Callable[[TakingSql], str] | None = None  # None: always ask the verdict

    @property
    def name(self) -> str:
        return f"{self.verdict.__module__}.{self.verdict.__qualname__}"


_checks: dict[str, Check] = {}


def name_of(check: Check | Verdict) -> str:
    return check.name if isinstance(check, Check) else f"{check.__module__}.{check.__qualname__}"


def register(check: Check | Verdict) -> None:
    """Once per check, by its qualified name (assembling the app twice adds nothing). A bare
    coroutine function is a check with no probe: its verdict is always asked."""
    _checks[name_of(check)] = check if isinstance(check, Check) else Check(check)


def unregister(check: Check | Verdict) -> None:
    _checks.pop(name_of(check), None)


def registered() -> list[str]:
    return sorted(_checks)


def signature() -> tuple[str, ...]:
    """The registered checks' names, in the order they run: the key of the SQL built from them."""
    return tuple(sorted(_checks))


def may_refuse_sql(taking: TakingSql) -> str:
    """SQL: an array of booleans, one per check in signature() order, whether it may refuse (true
    for a check without a probe). A writer selects it as a column and hands it to `admit`."""
    probes = [_checks[name].may_refuse(taking) if _checks[name].may_refuse else "true" for name in signature()]
    # A probe that answers NULL (an unknown) asks the verdict: only a sure false skips it.
    return "ARRAY[" + ", ".join(f"coalesce(({probe}), true)" for probe in probes) + "]::bool[]" if probes \
        else "'{}'::bool[]"


# The probes in a statement of their own, for a writer that has none to put them in.
_OWN = TakingSql(person="t.person", site="t.site", kind="t.kind", resource="t.resource", starts_at="t.starts_at",
                 now="t.now")


@functools.lru_cache(maxsize=8)
def _probes_sql(names: tuple[str, ...]) -> str:
    # Built on first use, once the checks are registered (their names are the cache key).
    return (f"SELECT {may_refuse_sql(_OWN)} FROM (SELECT $1::int AS person, $2::int AS site, $3::text AS kind, "
            "$4::int AS resource, $5::timestamptz AS starts_at, $6::timestamptz AS now) t")


async def admit(taking: Taking, may_refuse: Sequence[bool] | None = None) -> None:
    """Every declared check, in a fixed order; the first refusal is the answer. may_refuse: the
    probes' answers (`may_refuse_sql`) that the writer read with the same registered checks; None:
    they are read here, in one statement, when a check has a probe."""
    names = signature()
    if may_refuse is None or len(may_refuse) != len(names):
        may_refuse = await _read_probes(taking, names)
    for name, maybe in zip(names, may_refuse):
        if maybe:
            await _checks[name].verdict(taking)


async def _read_probes(taking: Taking, names: tuple[str, ...]) -> Sequence[bool]:
    if all(_checks[name].may_refuse is None for name in names):
        return [True] * len(names)
    return await db.fetchval(_probes_sql(names), taking.person_id, taking.site_id, taking.kind, taking.resource_id,
                             taking.starts_at, clock.now())
