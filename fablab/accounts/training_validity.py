"""When a learner's training ends (issue 31): for ever, days after its grant, on a date, or after a
period without booking what it unlocks; whichever comes first with an end staff set. Pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

# A training about to end is shown as such (and named in the learner's list) this long before.
ENDS_SOON = timedelta(days=14)


@dataclass(frozen=True)
class Validity:
    validity: str = "forever"          # vocabulary.TRAINING_VALIDITIES
    valid_days: int | None = None
    valid_until: date | None = None
    idle_days: int | None = None


def certification_end(rule: Validity, *, granted_at: datetime, expires_at: datetime | None,
                      last_used_at: datetime | None) -> datetime | None:
    """The instant the certification stops counting (None: never). Granting again renews: the
    counts start from the latest grant, or from the latest use for an idle limit."""
    ends = [expires_at] if expires_at is not None else []
    if rule.validity == "days" and rule.valid_days:
        ends.append(granted_at + timedelta(days=rule.valid_days))
    elif rule.validity == "until" and rule.valid_until:
        # Valid through the date named, wherever the learner is: it ends at the next midnight, UTC.
        ends.append(datetime.combine(rule.valid_until + timedelta(days=1), time(), tzinfo=timezone.utc))
    elif rule.validity == "idle" and rule.idle_days:
        since = max(granted_at, last_used_at) if last_used_at else granted_at
        ends.append(since + timedelta(days=rule.idle_days))
    return min(ends) if ends else None


def check_validity(rule: Validity) -> str | None:
    """What a training's validity misses (None when whole): days for `days` and `idle`, a date for `until`."""
    if rule.validity == "days" and not rule.valid_days:
        return "valid_days"
    if rule.validity == "until" and rule.valid_until is None:
        return "valid_until"
    if rule.validity == "idle" and not rule.idle_days:
        return "idle_days"
    return None
