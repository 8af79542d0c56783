"""Whether a person may take something now: a booking, a loan at the desk, a workshop seat.

The domains that can say no about the *person* (a suspension for late returns, a training that
lapsed, a minor's missing consent, a minimum age) each declare their checks in `ADMISSION`, beside
their ROUTES and JOBS; fablab/routes_registry.py hands them to `register` as the app is assembled.
Every writer (bookings, the desk's check-out, workshop sign-ups) calls `admit` in its transaction,
before it writes. The writers never import the domains that check: a new rule is a declaration,
not an edit of three workflows (tests/architecture/test_admission.py holds the writers to it).

A check raises the refusal itself (a 4xx from fablab/errors with its own code) or returns None.
Kernel: imports no domain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

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


Check = Callable[[Taking], Awaitable[None]]

_checks: dict[str, Check] = {}


def register(check: Check) -> None:
    """Once per check, by its qualified name (assembling the app twice adds nothing)."""
    _checks[f"{check.__module__}.{check.__qualname__}"] = check


def unregister(check: Check) -> None:
    _checks.pop(f"{check.__module__}.{check.__qualname__}", None)


def registered() -> list[str]:
    return sorted(_checks)


async def admit(taking: Taking) -> None:
    """Every declared check, in a fixed order; the first refusal is the answer."""
    for name in sorted(_checks):
        await _checks[name](taking)
