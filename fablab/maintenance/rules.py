"""Whether an item's maintenance is due, from its plan and its use since the last one (pure)."""

from __future__ import annotations

from fablab.domain import codes
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from fablab.domain.errors import InvalidInput, PolicyViolation

# From this share of any threshold on, the item is listed as soon due (Aujourd'hui, GET /api/maintenance/due).
SOON_SHARE = 0.8
MAX_EVERY = {"every_hours": 100_000, "every_loans": 100_000, "every_days": 3650}
State = Literal["ok", "soon", "due"]


class MaintenanceOverdue(PolicyViolation):
    code, title = codes.MAINTENANCE_OVERDUE, "This item's maintenance is overdue"


@dataclass(frozen=True)
class Plan:
    task: str
    every_hours: int | None = None
    every_loans: int | None = None
    every_days: int | None = None
    refuse_when_overdue: bool = False

    @classmethod
    def from_row(cls, row: dict) -> "Plan":
        return cls(task=row["task"], every_hours=row["every_hours"], every_loans=row["every_loans"],
                   every_days=row["every_days"], refuse_when_overdue=row["refuse_when_overdue"])


@dataclass(frozen=True)
class Usage:
    """Use since the last maintenance (or since the plan was set, for an item never maintained)."""

    hours: float
    loans: int
    days: float

    @classmethod
    def since(cls, *, since: datetime, now: datetime, seconds_used: float, loans: int) -> "Usage":
        return cls(hours=seconds_used / 3600, loans=loans, days=max(0.0, (now - since).total_seconds() / 86400))


def validate_plan(plan: Plan) -> None:
    """At least one measure, each a whole number in its range, and a task to do."""
    measures = {name: getattr(plan, name) for name in MAX_EVERY}
    if all(value is None for value in measures.values()):
        raise InvalidInput("Give every_hours, every_loans or every_days (at least one).", code=codes.PLAN_NEEDS_A_MEASURE)
    for name, value in measures.items():
        if value is not None and not 1 <= value <= MAX_EVERY[name]:
            raise InvalidInput(f"{name} must be between 1 and {MAX_EVERY[name]}.", code=codes.INVALID_PLAN, field=name)
    if not plan.task.strip():
        raise InvalidInput("Say what the maintenance is (task).", code=codes.TASK_REQUIRED)


def shares(plan: Plan, usage: Usage) -> dict[str, float]:
    """How far each measure of the plan has gone, as a share of its threshold (1.0: reached)."""
    pairs = {"hours": (usage.hours, plan.every_hours), "loans": (usage.loans, plan.every_loans),
             "days": (usage.days, plan.every_days)}
    return {name: used / every for name, (used, every) in pairs.items() if every}


def progress(plan: Plan, usage: Usage) -> float:
    """The furthest measure: maintenance comes at whichever threshold is reached first."""
    return max(shares(plan, usage).values(), default=0.0)


def state(plan: Plan, usage: Usage) -> State:
    reached = progress(plan, usage)
    if reached >= 1:
        return "due"
    return "soon" if reached >= SOON_SHARE else "ok"


def refuses(plan: Plan, usage: Usage) -> bool:
    """A plan set to refuse bookings while overdue refuses them once its maintenance is due."""
    return plan.refuse_when_overdue and state(plan, usage) == "due"


def check_bookable(plan: Plan, usage: Usage, tag: str) -> None:
    if not refuses(plan, usage):
        return
    raise MaintenanceOverdue(f"{tag} needs its maintenance first ({plan.task}); record it on the item's page.",
                             task=plan.task)
