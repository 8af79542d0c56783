"""The booking rules as pure functions: no database, no clock (now is always given)."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from fablab.sites.defaults import DEFAULT_POLICIES
from fablab.bookings.rules import Usage, check_booking, check_order, day_slots, subtract, walk_up_due, week_bounds
from fablab.sites.calendar import Policy, SiteCalendar, holiday_dates, parse_opening_hours, validate_policy
from fablab.domain.errors import InvalidInput, PolicyViolation
from tests.support.rules import (
    EVERY_DAY_9_18, LAPTOP, NOW, PARIS, PRINTER, ROOM, TUESDAY, WEEKDAYS_9_18, at, calendar, code_of, room_code,
)



# --- DST days -------------------------------------------------------------------------------

@pytest.mark.parametrize("sunday, utc_hour", [(date(2026, 3, 29), 7), (date(2026, 10, 25), 8)])
def test_opening_is_nine_local_on_both_dst_sundays(sunday, utc_hour):
    cal = calendar(EVERY_DAY_9_18)
    opens, closes = cal.intervals(sunday)[0]
    assert (opens.hour, closes.hour) == (9, 18)
    assert opens.astimezone(timezone.utc).hour == utc_hour
    # The day before has the other offset: the rule follows wall-clock time, not a fixed UTC hour.
    saturday_open = cal.intervals(sunday - timedelta(days=1))[0][0]
    assert saturday_open.astimezone(timezone.utc).hour != utc_hour


@pytest.mark.parametrize("sunday", [date(2026, 3, 29), date(2026, 10, 25)])
def test_booking_on_a_dst_sunday_follows_local_time(sunday):
    cal = calendar(EVERY_DAY_9_18)
    now = at(sunday - timedelta(days=3), 12)
    assert room_code(at(sunday, 9), at(sunday, 11), cal=cal, now=now) is None
    assert room_code(at(sunday, 17), at(sunday, 18), cal=cal, now=now) is None
    assert room_code(at(sunday, 8, 30), at(sunday, 9, 30), cal=cal, now=now) == "outside_opening_hours"
    assert room_code(at(sunday, 17, 30), at(sunday, 18, 30), cal=cal, now=now) == "outside_opening_hours"


def test_overnight_print_across_the_spring_jump_counts_real_minutes():
    cal = calendar(EVERY_DAY_9_18)
    saturday = date(2026, 3, 28)
    now = at(saturday, 10)
    start = at(saturday, 17)
    # 17:00 + 10 real hours is 04:00 local after the clocks jump forward at 02:00.
    end = (start.astimezone(timezone.utc) + timedelta(hours=10)).astimezone(PARIS)
    assert end.hour == 4
    assert room_code(start, end, policy=PRINTER, cal=cal, now=now) is None
    too_long = (start.astimezone(timezone.utc) + timedelta(hours=12, minutes=30)).astimezone(PARIS)
    assert room_code(start, too_long, policy=PRINTER, cal=cal, now=now) == "too_long"


# --- closures and public holidays -------------------------------------------------------------

def test_stored_closure_closes_the_day():
    cal = calendar(closures=[(TUESDAY, TUESDAY)])
    assert room_code(at(TUESDAY, 10), at(TUESDAY, 11), cal=cal) == "closed_day"
    wednesday = TUESDAY + timedelta(days=1)
    assert room_code(at(wednesday, 10), at(wednesday, 11), cal=cal) is None


def test_french_public_holiday_is_closed_by_default():
    labour_day = date(2026, 5, 1)  # a Friday
    now = at(date(2026, 4, 27), 10)
    assert room_code(at(labour_day, 10), at(labour_day, 11), now=now) == "closed_day"
    assert room_code(at(labour_day, 10), at(labour_day, 11), now=now,
                     cal=calendar(public_holidays=False)) is None


def test_public_holidays_have_french_names():
    names = holiday_dates([2026])
    assert names[date(2026, 12, 25)] == "Noël" and names[date(2026, 7, 14)] == "Fête nationale"
    assert not any("Day" in name for name in names.values())


def test_weekend_without_hours_is_a_closed_day():
    saturday = TUESDAY + timedelta(days=4)
    assert room_code(at(saturday, 10), at(saturday, 11)) == "closed_day"


# --- opening hours, alignment, durations ---------------------------------------------------------

def test_alignment_on_slots_from_opening():
    assert room_code(at(TUESDAY, 9, 15), at(TUESDAY, 10, 15)) == "misaligned"
    assert room_code(at(TUESDAY, 9), at(TUESDAY, 10, 45)) == "misaligned"
    assert room_code(at(TUESDAY, 9, 30), at(TUESDAY, 10)) is None


def test_opening_with_a_lunch_break_aligns_on_each_interval():
    hours = {"tue": [["09:00", "12:00"], ["13:15", "18:00"]]}
    cal = calendar(hours)
    assert room_code(at(TUESDAY, 13, 15), at(TUESDAY, 14, 15), cal=cal) is None
    assert room_code(at(TUESDAY, 12, 30), at(TUESDAY, 13, 30), cal=cal) == "outside_opening_hours"
    assert room_code(at(TUESDAY, 11), at(TUESDAY, 13, 30), cal=cal) == "outside_opening_hours"


def test_immediate_start_needs_no_slot_boundary():
    now = at(TUESDAY, 10, 7)
    assert room_code(now, at(TUESDAY, 11), now=now) is None
    # ...but its end does.
    assert room_code(now, at(TUESDAY, 11, 7), now=now) == "misaligned"


def test_lengths():
    assert room_code(at(TUESDAY, 9), at(TUESDAY, 13)) is None
    assert room_code(at(TUESDAY, 9), at(TUESDAY, 13, 30)) == "too_long"
    short = Policy(**{**DEFAULT_POLICIES["room"], "min_length": 60})
    assert room_code(at(TUESDAY, 9), at(TUESDAY, 9, 30), policy=short) == "too_short"


def test_printers_may_end_after_closing_but_start_within_hours():
    assert room_code(at(TUESDAY, 17), at(TUESDAY, 23), policy=PRINTER, user_training_ids={7}) is None
    assert room_code(at(TUESDAY, 17), at(TUESDAY, 18, 30)) == "outside_opening_hours"  # a room may not
    assert room_code(at(TUESDAY, 18), at(TUESDAY, 20), policy=PRINTER, user_training_ids={7}) == "outside_opening_hours"


def test_order_and_offsets_are_input_errors():
    with pytest.raises(InvalidInput) as naive:
        check_order(datetime(2026, 6, 9, 10), at(TUESDAY, 11))
    assert naive.value.code == "naive_timestamp"
    with pytest.raises(InvalidInput) as backwards:
        check_order(at(TUESDAY, 11), at(TUESDAY, 10))
    assert backwards.value.code == "ends_before_start"


# --- laptops by the day -------------------------------------------------------------------------

def test_laptop_loan_spans_whole_opening_days():
    monday, friday = date(2026, 6, 8), date(2026, 6, 12)
    now = at(monday, 8)
    assert room_code(at(monday, 9), at(monday, 18), policy=LAPTOP, now=now) is None
    assert room_code(at(monday, 9), at(friday, 18), policy=LAPTOP, now=now) is None
    assert room_code(at(monday, 9), at(friday + timedelta(days=3), 18), policy=LAPTOP, now=now) == "too_long"
    assert room_code(at(monday, 10), at(monday, 18), policy=LAPTOP, now=now) == "misaligned"
    assert room_code(at(monday, 9), at(monday, 17), policy=LAPTOP, now=now) == "misaligned"
    assert room_code(at(monday, 9), at(friday + timedelta(days=1), 18), policy=LAPTOP, now=now) == "closed_day"


def test_laptop_days_skip_closed_days():
    # Ascension, Thursday 14 May 2026: Monday to the next Monday is 5 opening days.
    monday = date(2026, 5, 11)
    now = at(monday, 8)
    assert room_code(at(monday, 9), at(date(2026, 5, 18), 18), policy=LAPTOP, now=now) is None
    assert room_code(at(monday, 9), at(date(2026, 5, 19), 18), policy=LAPTOP, now=now) == "too_long"


def test_laptop_for_today_may_be_booked_after_opening_and_walk_up_starts_now():
    monday = date(2026, 6, 8)
    now = at(monday, 11, 23)
    assert room_code(at(monday, 9), at(monday, 18), policy=LAPTOP, now=now) is None
    assert room_code(now, at(monday, 18), policy=LAPTOP, now=now) is None


# --- lead time --------------------------------------------------------------------------------

def test_in_the_past_and_too_far_ahead():
    assert room_code(at(date(2026, 6, 8), 9), at(date(2026, 6, 8), 9, 30)) == "in_the_past"
    # The slot running now may still be taken.
    assert room_code(at(date(2026, 6, 8), 9, 30), at(date(2026, 6, 8), 11)) is None
    assert room_code(at(date(2026, 6, 22), 9), at(date(2026, 6, 22), 10)) is None  # exactly 14 days ahead
    assert room_code(at(date(2026, 6, 23), 9), at(date(2026, 6, 23), 10)) == "too_far_ahead"
    assert room_code(at(date(2026, 6, 1), 9), at(date(2026, 6, 1), 10)) == "in_the_past"


# --- trainings and quotas ---------------------------------------------------------------------

def test_training_required_for_printers():
    assert room_code(at(TUESDAY, 14), at(TUESDAY, 16), policy=PRINTER, user_training_ids=set()) == "training_required"
    assert room_code(at(TUESDAY, 14), at(TUESDAY, 16), policy=PRINTER, user_training_ids={7}) is None
    # None means "not checked" (staff booking for themselves).
    assert room_code(at(TUESDAY, 14), at(TUESDAY, 16), policy=PRINTER) is None


def test_quotas_active_bookings_and_hours_per_week():
    start, end = at(TUESDAY, 9), at(TUESDAY, 11)
    assert room_code(start, end, usage=Usage(active_bookings=2, week_minutes=0)) is None
    assert room_code(start, end, usage=Usage(active_bookings=3, week_minutes=0)) == "quota_exceeded"
    assert room_code(start, end, usage=Usage(active_bookings=0, week_minutes=10 * 60)) is None      # 12 h exactly
    assert room_code(start, end, usage=Usage(active_bookings=0, week_minutes=10 * 60 + 30)) == "quota_exceeded"


def test_week_runs_monday_to_monday_site_time():
    start, end = week_bounds(at(TUESDAY, 15), PARIS)
    assert start == at(date(2026, 6, 8), 0) and end == at(date(2026, 6, 15), 0)


# --- validation, slots, walk-ups ---------------------------------------------------------------

@pytest.mark.parametrize("hours", [
    {"mon": [["9:00", "18:00"]]}, {"mon": [["18:00", "09:00"]]}, {"funday": []}, {"mon": "09:00-18:00"},
    {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}, {"mon": [["24:00", "25:00"]]}, [],
])
def test_bad_opening_hours_are_refused(hours):
    with pytest.raises(InvalidInput) as error:
        parse_opening_hours(hours)
    assert error.value.code == "invalid_opening_hours"


def test_bad_policies_are_refused():
    for bad in (dict(min_length=60, max_length=30), dict(slot_minutes=0), dict(min_length=45), dict(unit="weeks")):
        with pytest.raises(InvalidInput):
            validate_policy(Policy(**{**DEFAULT_POLICIES["room"], **bad}))
    validate_policy(LAPTOP)


def test_free_intervals_and_slots():
    cal = calendar()
    opening = cal.intervals(TUESDAY)
    busy = [(at(TUESDAY, 10), at(TUESDAY, 11)), (at(TUESDAY, 11), at(TUESDAY, 12)), (at(TUESDAY, 17), at(TUESDAY, 20))]
    assert subtract(opening, busy) == [(at(TUESDAY, 9), at(TUESDAY, 10)), (at(TUESDAY, 12), at(TUESDAY, 17))]
    assert len(day_slots(ROOM, cal, TUESDAY)) == 18
    assert day_slots(LAPTOP, cal, TUESDAY) == [(at(TUESDAY, 9), at(TUESDAY, 18))]
    assert day_slots(ROOM, cal, TUESDAY + timedelta(days=4)) == []


def test_walk_up_due_time():
    cal = calendar()
    assert walk_up_due(ROOM, cal, at(TUESDAY, 10, 7)) == at(TUESDAY, 11)
    assert walk_up_due(ROOM, cal, at(TUESDAY, 17, 50)) == at(TUESDAY, 18)
    assert walk_up_due(LAPTOP, cal, at(TUESDAY, 10, 7)) == at(TUESDAY, 18)
    assert walk_up_due(ROOM, cal, at(TUESDAY, 19)) is None


def test_walk_up_due_from_opening_hours_export():
    from fablab.bookings.create import walk_up_due_at
    due = walk_up_due_at(ROOM, opening_hours=WEEKDAYS_9_18, timezone_name="Europe/Paris", now=at(TUESDAY, 16, 40))
    assert due == at(TUESDAY, 17, 30)
    assert walk_up_due_at(LAPTOP, opening_hours=WEEKDAYS_9_18, timezone_name="Europe/Paris",
                          now=at(date(2026, 5, 1), 10)) is None  # Labour Day: closed
