"""Availability of a kind at a site for one day: free intervals per unit and free units per slot."""

from __future__ import annotations

from datetime import date, datetime

from fablab.bookings import queries
from fablab.bookings.rules import day_slots, subtract
from fablab.bookings.schemas import AvailabilityOut, DayPolicyOut, SlotOut, SpanOut, UnitDayOut
from fablab.sites import queries as site_queries


async def availability(*, site: str, kind: str, day: date, now: datetime, user_id: int | None = None) -> AvailabilityOut:
    kind = site_queries.require_kind(kind)
    # One round trip; no-shows are released first, so their slots show as free (docs/ARCHITECTURE.md, Rules, 5).
    context = await queries.availability_context(site, kind, day, now)
    site_row, policy, calendar = context.site, context.policy, context.calendar
    resources, busy = context.resources, context.busy
    # A slot is free for a new booking only if its buffer fits too.
    buffer = policy.buffer

    opening = calendar.intervals(day)
    tz = calendar.tz
    units = []
    for resource in resources:
        bookable = resource["status"] == "available"
        free = subtract(opening, busy[resource["id"]]) if bookable else []
        units.append(UnitDayOut(
            tag=resource["tag"], name=resource["name"], status=resource["status"],
            free=[SpanOut(starts_at=start.astimezone(tz), ends_at=end.astimezone(tz)) for start, end in free],
        ))
    slots = []
    for start, end in day_slots(policy, calendar, day):
        count = sum(
            1 for resource in resources if resource["status"] == "available"
            and not any(b_start < end + buffer and start < b_end for b_start, b_end in busy[resource["id"]])
        )
        slots.append(SlotOut(starts_at=start.astimezone(tz), ends_at=end.astimezone(tz), free=count))
    return AvailabilityOut(
        site=site_row["slug"], kind=kind, date=day, timezone=site_row["timezone"],
        closed=not opening,
        opening=[SpanOut(starts_at=start, ends_at=end) for start, end in opening],
        policy=await day_policy(policy, user_id, now),
        resources=units,
        slots=slots,
    )


async def day_policy(policy, user_id: int | None, now: datetime) -> DayPolicyOut:
    """The day's rules as the booking screen shows them, with the training asked for by name."""
    training = None
    if policy.training_id is not None and user_id is not None:
        training = await queries.training_for(policy.training_id, user_id, now)
    return DayPolicyOut(unit=policy.unit, slot_minutes=policy.slot_minutes, min_length=policy.min_length,
                        max_length=policy.max_length, max_days_ahead=policy.max_days_ahead,
                        may_end_after_closing=policy.may_end_after_closing,
                        training_required=policy.training_id is not None,
                        training=training["name"] if training else None,
                        training_held=bool(training and training["held"]))
