"""Request and response bodies of the consumables API (unknown fields refused: no mass assignment)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from fablab.domain.vocabulary import ConsumableMovementKind, ConsumableUnit, PrintOutcome

Unit = ConsumableUnit
MovementKind = ConsumableMovementKind
Outcome = PrintOutcome
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Note = Annotated[str, msgspec.Meta(max_length=2000)]
SiteSlug = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
# Whole grams, millilitres or units; ten tonnes of filament is more than any site keeps.
Amount = Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
PositiveAmount = Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]


class ConsumableIn(msgspec.Struct, forbid_unknown_fields=True):
    site: SiteSlug
    name: Name
    unit: Unit
    quantity: Amount = 0
    low_threshold: Amount = 0
    monthly_budget_per_learner: PositiveAmount | None = None


class ConsumablePatch(msgspec.Struct, forbid_unknown_fields=True):
    """No quantity: the stock changes only through movements (the ledger). No unit: the ledger's
    numbers would change meaning."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    low_threshold: Amount | msgspec.UnsetType = msgspec.UNSET
    # null removes the budget.
    monthly_budget_per_learner: PositiveAmount | None | msgspec.UnsetType = msgspec.UNSET


class MovementIn(msgspec.Struct, forbid_unknown_fields=True):
    """restock, use and loss move `quantity` in or out; adjust sets the stock to `quantity` (a count)."""

    kind: MovementKind
    quantity: Amount
    booking: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)] | None = None
    note: Note = ""


class ConsumableUseIn(msgspec.Struct, forbid_unknown_fields=True):
    """One consumable used during a loan, given at its check-in."""

    id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    quantity: PositiveAmount


CheckinUses = Annotated[list[ConsumableUseIn], msgspec.Meta(max_length=20)]


class ConsumableOut(msgspec.Struct):
    id: int
    site: str
    name: str
    unit: str
    quantity: int
    low_threshold: int
    monthly_budget_per_learner: int | None
    # Below its threshold now; low_since: when it went below (the open alert).
    low: bool
    low_since: datetime | None
    updated_at: datetime


class PersonOut(msgspec.Struct):
    id: int
    login: str
    name: str


class MovementOut(msgspec.Struct):
    id: int
    consumable: int
    kind: str
    delta: int
    quantity_after: int
    booking: int | None
    user: PersonOut | None
    staff: PersonOut | None
    note: str
    at: datetime


class StockOut(msgspec.Struct):
    """The answer to a movement: the consumable with its new stock, and the ledger row written."""

    consumable: ConsumableOut
    movement: MovementOut


class BudgetWarning(msgspec.Struct):
    """Using this much takes the learner over their monthly budget: the desk asks staff to confirm."""

    code: str
    consumable: int
    name: str
    unit: str
    budget: int
    used_before: int
    used_after: int


class CheckinUseOut(msgspec.Struct):
    id: int
    name: str
    unit: str
    quantity: int
    stock_after: int


class CheckinConsumptionOut(msgspec.Struct):
    """What a check-in recorded besides the return: uses, the print's outcome, budget warnings."""

    uses: list[CheckinUseOut]
    outcome: str | None
    warnings: list[BudgetWarning]


class PrintUseOut(msgspec.Struct):
    consumable: int
    name: str
    unit: str
    quantity: int


class PrintLogOut(msgspec.Struct):
    booking: int
    resource: str
    resource_name: str
    user: PersonOut | None
    checked_out_at: datetime | None
    returned_at: datetime | None
    duration_minutes: int | None
    outcome: str | None
    grams: int
    uses: list[PrintUseOut]


class MyUseOut(msgspec.Struct):
    consumable: int
    site: str
    name: str
    unit: str
    used: int
    budget: int | None


class MyConsumptionOut(msgspec.Struct):
    month: str
    items: list[MyUseOut]


class ReportSiteOut(msgspec.Struct):
    slug: str
    name: str
    timezone: str


class ReportConsumableOut(msgspec.Struct):
    id: int
    name: str
    unit: str
    used: int
    lost: int
    restocked: int
    adjusted: int
    stock: int
    failed_quantity: int
    # Of what was used on prints with a known outcome, the share used on failed ones (None: none).
    failed_share: float | None


class ReportLearnerOut(msgspec.Struct):
    user: PersonOut | None
    consumable: int
    name: str
    unit: str
    used: int
    budget: int | None
    over_budget: bool


class ReportPrintsOut(msgspec.Struct):
    count: int
    failed: int
    failed_share: float | None


class ConsumptionReportOut(msgspec.Struct):
    site: ReportSiteOut
    month: str
    consumables: list[ReportConsumableOut]
    learners: list[ReportLearnerOut]
    prints: ReportPrintsOut
    generated_at: datetime
