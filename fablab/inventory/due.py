"""When a loan handed over at the desk is due back: pure, from the policy, the site's calendar and now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fablab.bookings.rules import walk_up_due
from fablab.sites.calendar import Policy, SiteCalendar

# How far ahead to look for the next opening (a summer closure lasts a few weeks at most).
LOOKAHEAD_DAYS = 45


@dataclass(frozen=True)
class DueProposal:
    """The return time the desk offers first. by_policy: the site is open now and the policy's
    own walk-up due time applies (the server finds the same one without being told); otherwise
    the desk lends with this time given explicitly, which is the staff override."""

    due_at: datetime
    by_policy: bool
    opens_at: datetime | None = None  # when closed now: the next opening the proposal is based on


def next_opening(calendar: SiteCalendar, now: datetime) -> datetime | None:
    """The first opening interval that starts after now (today's, or a later open day's)."""
    day = calendar.local_date(now)
    for _ in range(LOOKAHEAD_DAYS):
        for opens, _closes in calendar.intervals(day):
            if opens > now:
                return opens
        day += timedelta(days=1)
    return None


def propose_due(policy: Policy, calendar: SiteCalendar, now: datetime) -> DueProposal | None:
    """rules.walk_up_due while open; when closed (before opening, at lunch, at night, on a
    holiday), the loan the policy would give if it were handed over at the next opening. None
    when the site opens on none of the coming weeks."""
    due = walk_up_due(policy, calendar, now)
    if due is not None:
        return DueProposal(due_at=due, by_policy=True)
    opens = next_opening(calendar, now)
    if opens is None:
        return None
    return DueProposal(due_at=walk_up_due(policy, calendar, opens), by_policy=False, opens_at=opens)
