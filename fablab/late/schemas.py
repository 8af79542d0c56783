"""Request and response bodies of late returns (unknown fields refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from fablab.domain.schemas import Out


class LatePolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool
    grace_minutes: Annotated[int, msgspec.Meta(ge=0, le=10080)] = 15
    strikes: Annotated[int, msgspec.Meta(ge=1, le=50)] = 3
    window_days: Annotated[int, msgspec.Meta(ge=1, le=366)] = 30
    suspension_days: Annotated[int, msgspec.Meta(ge=1, le=366)] = 14


class LatePolicyOut(Out):
    site: str
    enabled: bool
    grace_minutes: int
    strikes: int
    window_days: int
    suspension_days: int


class SuspensionOut(Out):
    id: int
    site: str
    site_name: str
    starts_at: datetime
    ends_at: datetime
    strikes: int         # the late returns that led to it
    window_days: int     # within this many days
    active: bool
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str | None


class StrikeOut(Out):
    id: int
    site: str
    resource: str
    resource_name: str
    due_at: datetime
    returned_at: datetime


class LateStatusOut(Out):
    suspended: bool
    suspensions: list[SuspensionOut]
    strikes: list[StrikeOut]


class LiftIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
