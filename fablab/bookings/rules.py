"""The booking rules as pure functions: opening hours, closures, slots, lengths, lead time, quotas."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fablab.domain import codes
from fablab.domain.errors import InvalidInput, PolicyViolation
# A site's own types live with the sites (a lower layer); the rules apply them.
from fablab.sites.calendar import Policy, SiteCalendar, instant, local_moment

# A start this close to "now" is an immediate start (a walk-up, "from now"): it needs no slot boundary.
IMMEDIATE_START = timedelta(minutes=2)


# ---------------------------------------------------------------------------------------------
# The checks. Each raises PolicyViolation with its own code (docs/ARCHITECTURE.md, Rules, 4).


def check_order(starts_at: datetime, ends_at: datetime) -> None:
    """Input errors, not policy: always enforced, for staff too."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("Times need an offset (RFC 3339), e.g. 2026-03-12T09:00:00+01:00.", code=codes.NAIVE_TIMESTAMP)
    if ends_at <= starts_at:
        raise InvalidInput("ends_at must be after starts_at.", code=codes.ENDS_BEFORE_START)


# Past the rules (a staff override) a booking still starts now or later, within bounds: a typo is
# not a loan until the year 3026, and an override in the past turned into a no-show on the
# learner's record.
OVERRIDE_MAX_AHEAD = timedelta(days=730)
OVERRIDE_MAX_LENGTH = timedelta(days=366)


def check_override_bounds(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """What a staff override never skips (with check_order): not in the past, not years away."""
    check_order(starts_at, ends_at)
    if starts_at < now - IMMEDIATE_START:
        raise PolicyViolation("The start is in the past.", code=codes.IN_THE_PAST)
    if starts_at > now + OVERRIDE_MAX_AHEAD:
        raise PolicyViolation(f"At most {OVERRIDE_MAX_AHEAD.days} days ahead, even past the rules.",
                              code=codes.TOO_FAR_AHEAD, last_day=(now + OVERRIDE_MAX_AHEAD).date().isoformat())
    if ends_at - starts_at > OVERRIDE_MAX_LENGTH:
        raise PolicyViolation(f"At most {OVERRIDE_MAX_LENGTH.days} days long, even past the rules.",
                              code=codes.TOO_LONG, max_length=OVERRIDE_MAX_LENGTH.days)


def is_immediate(starts_at: datetime, now: datetime) -> bool:
    return abs(starts_at - now) <= IMMEDIATE_START


def check_lead_time(starts_at: datetime, ends_at: datetime, policy: Policy, calendar: SiteCalendar, now: datetime) -> None:
    if ends_at <= now:
        raise PolicyViolation("This booking would be over already.", code=codes.IN_THE_PAST)
    if policy.unit == "days":
        # By the day: today's loan may still be booked once the day has begun.
        if calendar.local_date(starts_at) < calendar.local_date(now):
            raise PolicyViolation("The first day is in the past.", code=codes.IN_THE_PAST)
    elif starts_at < now - timedelta(minutes=policy.slot_minutes):
        # The slot running now may still be taken; an earlier one may not.
        raise PolicyViolation("The start is in the past.", code=codes.IN_THE_PAST)
    last_day = calendar.local_date(now) + timedelta(days=policy.max_days_ahead)
    if calendar.local_date(starts_at) > last_day:
        raise PolicyViolation(f"Bookings open {policy.max_days_ahead} days ahead, until {last_day}.",
                              code=codes.TOO_FAR_AHEAD, last_day=last_day.isoformat())


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def _aligned(moment: datetime, origin: datetime, slot_minutes: int) -> bool:
    # Absolute minutes from the opening: correct across a DST jump during an overnight print.
    return math.isclose(_minutes(moment - origin) % slot_minutes, 0, abs_tol=1e-6) or \
        math.isclose(_minutes(moment - origin) % slot_minutes, slot_minutes, abs_tol=1e-6)


def check_minutes_shape(starts_at: datetime, ends_at: datetime, policy: Policy, calendar: SiteCalendar,
                        now: datetime) -> None:
    """Slots within opening hours: closures, opening hours, alignment, lengths."""
    day = calendar.local_date(starts_at)
    if not calendar.is_open_day(day):
        raise PolicyViolation(f"The site is closed on {day}.", code=codes.CLOSED_DAY, day=day.isoformat())
    interval = calendar.interval_containing(starts_at)
    if interval is None:
        raise PolicyViolation("The start is outside opening hours.", code=codes.OUTSIDE_OPENING_HOURS)
    opens, closes = interval
    if not policy.may_end_after_closing and ends_at > closes:
        raise PolicyViolation(f"The site closes at {closes.strftime('%H:%M')}.", code=codes.OUTSIDE_OPENING_HOURS)
    immediate = is_immediate(starts_at, now)
    if not immediate and not _aligned(starts_at, opens, policy.slot_minutes):
        raise PolicyViolation(f"Bookings start on {policy.slot_minutes}-minute slots from opening.", code=codes.MISALIGNED)
    if not _aligned(ends_at, opens, policy.slot_minutes):
        raise PolicyViolation(f"Bookings end on {policy.slot_minutes}-minute slots.", code=codes.MISALIGNED)
    length = _minutes(ends_at - starts_at)
    if length > policy.max_length + 1e-6:
        raise PolicyViolation(f"At most {policy.max_length} minutes.", code=codes.TOO_LONG, max_length=policy.max_length)
    # An immediate start is shorter than its first slot by the minutes already gone.
    shortest = policy.min_length - (policy.slot_minutes if immediate else 0)
    if length < shortest - 1e-6:
        raise PolicyViolation(f"At least {policy.min_length} minutes.", code=codes.TOO_SHORT, min_length=policy.min_length)


def check_days_shape(starts_at: datetime, ends_at: datetime, policy: Policy, calendar: SiteCalendar,
                     now: datetime) -> None:
    """By the day: from the opening of day 1 to the closing of day N, N opening days."""
    first, last = calendar.local_date(starts_at), calendar.local_date(ends_at)
    for day in (first, last):
        if not calendar.is_open_day(day):
            raise PolicyViolation(f"The site is closed on {day}.", code=codes.CLOSED_DAY, day=day.isoformat())
    if calendar.interval_containing(starts_at) is None:
        raise PolicyViolation("The loan starts outside opening hours.", code=codes.OUTSIDE_OPENING_HOURS)
    # A walk-up starts now; any other loan starts when the site opens.
    if starts_at != calendar.opening(first) and not is_immediate(starts_at, now):
        raise PolicyViolation("A loan by the day starts at opening.", code=codes.MISALIGNED)
    if ends_at != calendar.closing(last):
        raise PolicyViolation("A loan by the day ends at closing.", code=codes.MISALIGNED)
    days = calendar.open_days_between(first, last)
    if days > policy.max_length:
        raise PolicyViolation(f"At most {policy.max_length} opening days.", code=codes.TOO_LONG, max_length=policy.max_length)
    if days < policy.min_length:
        raise PolicyViolation(f"At least {policy.min_length} opening days.", code=codes.TOO_SHORT, min_length=policy.min_length)


def check_shape(starts_at: datetime, ends_at: datetime, policy: Policy, calendar: SiteCalendar, now: datetime) -> None:
    if policy.unit == "days":
        check_days_shape(starts_at, ends_at, policy, calendar, now)
    else:
        check_minutes_shape(starts_at, ends_at, policy, calendar, now)


def check_resource_status(status: str) -> None:
    if status != "available":
        raise PolicyViolation(f"This item is {status}.", code=codes.RESOURCE_UNAVAILABLE, resource_status=status)


def check_training(policy: Policy, user_training_ids: set[int]) -> None:
    if policy.training_id is not None and policy.training_id not in user_training_ids:
        raise PolicyViolation("This needs a training first.", code=codes.TRAINING_REQUIRED, training_id=policy.training_id)


@dataclass(frozen=True)
class Usage:
    """What the learner already holds of this kind: active bookings, and minutes booked that week."""

    active_bookings: int = 0
    week_minutes: float = 0


def quota_headroom(policy: Policy, new_minutes: float) -> tuple[int | None, float | None]:
    """The most active bookings, and the most minutes that week, a learner may already hold to book
    new_minutes more (None: no limit). The booking INSERT's guard applies the same bounds in SQL."""
    most_active = None if policy.max_active_bookings is None else policy.max_active_bookings - 1
    most_minutes = None if policy.max_hours_per_week is None else policy.max_hours_per_week * 60 + 1e-6 - new_minutes
    return most_active, most_minutes


def check_quotas(policy: Policy, usage: Usage, new_minutes: float) -> None:
    most_active, most_minutes = quota_headroom(policy, new_minutes)
    if most_active is not None and usage.active_bookings > most_active:
        raise PolicyViolation(f"At most {policy.max_active_bookings} active bookings of this kind.",
                              code=codes.QUOTA_EXCEEDED, quota="max_active_bookings", limit=policy.max_active_bookings)
    if most_minutes is not None and usage.week_minutes > most_minutes:
        raise PolicyViolation(f"At most {policy.max_hours_per_week} hours a week of this kind.",
                              code=codes.QUOTA_EXCEEDED, quota="max_hours_per_week", limit=policy.max_hours_per_week)


def week_bounds(moment: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to next Monday 00:00, site time, of the week containing `moment`."""
    day = moment.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())
    return local_moment(monday, time(0), tz), local_moment(monday + timedelta(days=7), time(0), tz)


def check_booking(*, starts_at: datetime, ends_at: datetime, policy: Policy, calendar: SiteCalendar, now: datetime,
                  user_training_ids: set[int] | None = None, usage: Usage | None = None) -> None:
    """Every policy rule in a fixed order, so one request always gets the same code.

    Training and quotas are skipped (None) for staff and admins booking for themselves.
    """
    check_lead_time(starts_at, ends_at, policy, calendar, now)
    check_shape(starts_at, ends_at, policy, calendar, now)
    if user_training_ids is not None:
        check_training(policy, user_training_ids)
    if usage is not None:
        check_quotas(policy, usage, _minutes(ends_at - starts_at))


# ---------------------------------------------------------------------------------------------
# Walk-up loans and availability


def walk_up_due(policy: Policy, calendar: SiteCalendar, now: datetime) -> datetime | None:
    """When a loan handed over now is due back: the shortest allowed loan, ending on a slot
    boundary (minutes), or today's closing (days). None when the site is not open now."""
    interval = calendar.interval_containing(now)
    if interval is None:
        return None
    opens, closes = interval
    if policy.unit == "days":
        return calendar.closing(calendar.local_date(now))
    slots = math.ceil(_minutes(now + timedelta(minutes=policy.min_length) - opens) / policy.slot_minutes)
    # Elapsed time, not wall-clock time: an aware datetime plus a timedelta keeps its wall-clock
    # offset, an hour off across a DST change.
    due = (instant(opens) + timedelta(minutes=slots * policy.slot_minutes)).astimezone(calendar.tz)
    if not policy.may_end_after_closing and due > closes:
        return closes
    return due


def subtract(spans: list[tuple[datetime, datetime]], busy: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Opening spans minus busy half-open ranges."""
    free = []
    for start, end in spans:
        cursor = start
        for busy_start, busy_end in sorted(busy):
            if busy_end <= cursor or busy_start >= end:
                continue
            if busy_start > cursor:
                free.append((cursor, busy_start))
            cursor = max(cursor, busy_end)
        if cursor < end:
            free.append((cursor, end))
    return free


def day_slots(policy: Policy, calendar: SiteCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The bookable slots of a day (UTC): the whole opening day for laptops, else slot_minutes steps.

    Steps are elapsed time from each opening, like the alignment check (_aligned): on the spring DST
    day a local time that does not exist is never offered, and in autumn the repeated hour gives one
    slot per instant (02:00+02:00 and 02:00+01:00), each of slot_minutes.
    """
    spans = calendar.intervals(day)
    if not spans:
        return []
    if policy.unit == "days":
        return [(instant(spans[0][0]), instant(spans[-1][1]))]
    step = timedelta(minutes=policy.slot_minutes)
    slots = []
    for opens, closes in spans:
        cursor, end = instant(opens), instant(closes)
        while cursor + step <= end:
            slots.append((cursor, cursor + step))
            cursor += step
    return slots


# What a closure of some days does to a booking it overlaps (issue 28): a loan by the day whose
# first and last days stay open does not need the desk on the closed days in between ("kept"); one
# that loses its first or last days is shortened to the open days left, if they are still enough
# for the policy ("shortened", with the new times); anything else is cancelled (None).
KEPT = "kept"


def span_around_closure(starts_at: datetime, ends_at: datetime, policy: Policy, calendar: SiteCalendar,
                        closed_first: date, closed_last: date) -> tuple[datetime, datetime] | str | None:
    """`calendar` without the new closure; the closure is [closed_first, closed_last], local days."""
    if policy.unit != "days":
        return None
    days_closed = {closed_first + timedelta(days=n) for n in range((closed_last - closed_first).days + 1)}
    calendar = SiteCalendar(tz=calendar.tz, hours=calendar.hours, closed=calendar.closed | days_closed)
    first, last = calendar.local_date(starts_at), calendar.local_date(ends_at)
    if calendar.is_open_day(first) and calendar.is_open_day(last):
        return KEPT
    open_days = [first + timedelta(days=n) for n in range((last - first).days + 1)
                 if calendar.is_open_day(first + timedelta(days=n))]
    if not open_days or len(open_days) < policy.min_length:
        return None
    new_first, new_last = open_days[0], open_days[-1]
    return (starts_at if new_first == first else calendar.opening(new_first),
            ends_at if new_last == last else calendar.closing(new_last))
