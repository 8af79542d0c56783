"""When a return is a strike and when strikes suspend: pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LatePolicy:
    """A site's late-return rules; `enabled` False (the default) records nothing and suspends no one."""

    enabled: bool = False
    grace_minutes: int = 15
    strikes: int = 3
    window_days: int = 30
    suspension_days: int = 14

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)

    @property
    def suspension(self) -> timedelta:
        return timedelta(days=self.suspension_days)


def is_strike(policy: LatePolicy, *, due_at: datetime, returned_at: datetime) -> bool:
    """A return later than the grace after its due time, under a policy that is on."""
    return policy.enabled and returned_at > due_at + timedelta(minutes=policy.grace_minutes)


def suspends(policy: LatePolicy, strikes_in_window: int) -> bool:
    """Whether this many strikes within the window (none counted twice) call for a suspension."""
    return policy.enabled and strikes_in_window >= policy.strikes
