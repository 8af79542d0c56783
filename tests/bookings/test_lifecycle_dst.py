"""The availability slot grid on DST days: no local time that does not exist, one slot per instant.

Every day of 2026–2035 gets opening hours drawn at random (night ones included, across the 02:00–03:00
jump), and every slot offered must be a real span of slot_minutes that the booking rules accept.
"""

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from fablab.bookings.rules import check_minutes_shape, day_slots
from fablab.sites.calendar import Policy, SiteCalendar
from fablab.domain.vocabulary import WEEKDAYS

PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc
SLOT_SIZES = (5, 10, 15, 20, 30, 45, 60, 90, 120)
SPRING_2027, AUTUMN_2027 = date(2027, 3, 28), date(2027, 10, 31)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def random_hours(rng: random.Random) -> dict:
    """1–3 intervals a day, boundaries on any minute; one day in three open through the night."""
    hours = {}
    for weekday in WEEKDAYS:
        if rng.random() < 0.33:
            cuts = sorted(rng.sample(range(0, 300), 2))  # between midnight and 05:00: over the jump
        else:
            cuts = sorted(rng.sample(range(0, 1440), 2 * rng.randint(1, 3)))
        hours[weekday] = [[hhmm(a), hhmm(b)] for a, b in zip(cuts[::2], cuts[1::2])]
    return hours


def site(hours: dict) -> SiteCalendar:
    return SiteCalendar.build(timezone_name="Europe/Paris", opening_hours=hours, closures=[], years=[],
                              public_holidays=False)


def as_sent_by_the_app(moment: datetime) -> datetime:
    """What the web app sends back: the slot as RFC 3339 in site time, parsed (a fixed offset)."""
    return datetime.fromisoformat(moment.astimezone(PARIS).isoformat())


def exists_on_the_wall(moment: datetime) -> bool:
    """The local time shown for this instant names that same instant (no 02:30 on the spring night)."""
    local = moment.astimezone(PARIS)
    again = datetime.combine(local.date(), local.time(), PARIS).replace(fold=local.fold)
    return again.astimezone(UTC) == moment.astimezone(UTC) and again.utcoffset() == local.utcoffset()


def check_grid(calendar: SiteCalendar, policy: Policy, day: date) -> list:
    slots = day_slots(policy, calendar, day)
    step = timedelta(minutes=policy.slot_minutes)
    spans = [(opens.astimezone(UTC), closes.astimezone(UTC)) for opens, closes in calendar.intervals(day)]
    # As many slots as the elapsed open time holds (not the wall-clock time).
    assert len(slots) == sum((closes - opens) // step for opens, closes in spans), (day, spans)
    previous_end = None
    for start, end in slots:
        start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
        assert end_utc - start_utc == step, (day, start, end)
        assert exists_on_the_wall(start) and exists_on_the_wall(end), (day, start)
        assert any(opens <= start_utc and end_utc <= closes for opens, closes in spans), (day, start)
        assert previous_end is None or start_utc >= previous_end, (day, start)
        previous_end = end_utc
        # Booking it as offered is accepted by the rules (it once refused the DST night's slots).
        check_minutes_shape(as_sent_by_the_app(start), as_sent_by_the_app(end), policy, calendar,
                            now=datetime.combine(day - timedelta(days=1), time(12), UTC))
    return slots


def test_every_day_from_2026_to_2035_with_random_hours():
    rng = random.Random(17)
    day, last = date(2026, 1, 1), date(2035, 12, 31)
    checked = 0
    while day <= last:
        # New hours every week, so each weekday sees many shapes over the ten years.
        if day.weekday() == 0 or checked == 0:
            calendar = site(random_hours(rng))
            slot = rng.choice(SLOT_SIZES)
            policy = Policy(slot_minutes=slot, min_length=slot, max_length=24 * 60)
        check_grid(calendar, policy, day)
        checked += 1
        day += timedelta(days=1)
    assert checked == 3652


NIGHT = {weekday: [["00:00", "06:00"]] for weekday in WEEKDAYS}


def local_labels(slots) -> list[str]:
    return [start.astimezone(PARIS).strftime("%H:%M%z") for start, _ in slots]


def test_spring_night_offers_no_time_that_does_not_exist():
    slots = check_grid(site(NIGHT), Policy(slot_minutes=30, min_length=30, max_length=360), SPRING_2027)
    labels = local_labels(slots)
    assert labels[:6] == ["00:00+0100", "00:30+0100", "01:00+0100", "01:30+0100", "03:00+0200", "03:30+0200"]
    assert not any(label.startswith("02:") for label in labels)
    assert len(slots) == 10  # 00:00 to 06:00 local is five hours that night


def test_autumn_night_gives_the_repeated_hour_one_slot_per_instant():
    slots = check_grid(site(NIGHT), Policy(slot_minutes=30, min_length=30, max_length=420), AUTUMN_2027)
    labels = local_labels(slots)
    assert labels[4:10] == ["02:00+0200", "02:30+0200", "02:00+0100", "02:30+0100", "03:00+0100", "03:30+0100"]
    assert len(slots) == 14  # seven hours that night


def test_hours_that_exist_only_on_the_wall_are_no_opening():
    # 02:30–03:15 on the spring night is 03:30–03:15 once the skipped hour is skipped: closed, not a
    # negative interval.
    hours = {weekday: [["02:30", "03:15"], ["09:00", "10:00"]] for weekday in WEEKDAYS}
    calendar = site(hours)
    assert [opens.hour for opens, _ in calendar.intervals(SPRING_2027)] == [9]
    assert len(check_grid(calendar, Policy(slot_minutes=15, min_length=15, max_length=60), SPRING_2027)) == 4


def test_hours_that_overlap_once_the_hour_is_skipped_are_one_opening():
    # 01:00–02:30 ends at 03:30 (the skipped half hour is skipped), into 03:00–04:00: open throughout.
    hours = {weekday: [["01:00", "02:30"], ["03:00", "04:00"]] for weekday in WEEKDAYS}
    calendar = site(hours)
    [(opens, closes)] = calendar.intervals(SPRING_2027)
    assert (opens.strftime("%H:%M%z"), closes.strftime("%H:%M%z")) == ("01:00+0100", "04:00+0200")
    assert len(check_grid(calendar, Policy(slot_minutes=30, min_length=30, max_length=240), SPRING_2027)) == 4


DST_DAYS = [date(year, month, day) for year in range(2026, 2036) for month in (3, 10) for day in range(25, 32)
            if date(year, month, day).weekday() == 6]
minutes = st.integers(min_value=0, max_value=1439)


@settings(max_examples=300, deadline=None)
@given(day=st.sampled_from(DST_DAYS), bounds=st.lists(minutes, min_size=2, max_size=6, unique=True),
       slot=st.sampled_from(SLOT_SIZES))
def test_any_opening_hours_on_any_dst_day(day, bounds, slot):
    cuts = sorted(bounds)[: len(bounds) // 2 * 2]
    hours = {WEEKDAYS[day.weekday()]: [[hhmm(a), hhmm(b)] for a, b in zip(cuts[::2], cuts[1::2])]}
    check_grid(site(hours), Policy(slot_minutes=slot, min_length=slot, max_length=24 * 60), day)


def test_the_days_drawn_are_the_dst_days():
    # The hypothesis test above is only worth something if it draws the real DST days.
    assert len(DST_DAYS) == 20
    for day in DST_DAYS:
        noon = datetime.combine(day, time(12), PARIS)
        assert noon.utcoffset() != (noon - timedelta(days=1)).utcoffset(), day
