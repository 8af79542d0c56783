"""The return time the desk offers for a walk-up loan (fablab.inventory.due), open or closed."""

from datetime import date, timedelta

from fablab.inventory.due import next_opening, propose_due
from tests.support.rules import LAPTOP, PRINTER, ROOM, TUESDAY, at, calendar

CHRISTMAS = date(2026, 12, 25)  # a Friday and a public holiday


def test_while_open_the_policy_walk_up_due_time_is_offered():
    cal = calendar()
    room = propose_due(ROOM, cal, at(TUESDAY, 10, 7))
    assert (room.due_at, room.by_policy, room.opens_at) == (at(TUESDAY, 11), True, None)
    assert propose_due(ROOM, cal, at(TUESDAY, 17, 50)).due_at == at(TUESDAY, 18)  # capped at closing
    assert propose_due(LAPTOP, cal, at(TUESDAY, 10, 7)).due_at == at(TUESDAY, 18)
    assert propose_due(PRINTER, cal, at(TUESDAY, 17, 50)).due_at == at(TUESDAY, 18, 30)  # may run after closing


def test_before_opening_the_loan_is_counted_from_the_opening():
    cal = calendar()
    laptop = propose_due(LAPTOP, cal, at(TUESDAY, 8, 10))
    assert (laptop.due_at, laptop.by_policy, laptop.opens_at) == (at(TUESDAY, 18), False, at(TUESDAY, 9))
    assert propose_due(ROOM, cal, at(TUESDAY, 8, 10)).due_at == at(TUESDAY, 9, 30)


def test_after_closing_at_the_weekend_and_on_a_holiday_the_next_open_day_counts():
    cal = calendar()
    wednesday = TUESDAY + timedelta(days=1)
    assert propose_due(LAPTOP, cal, at(TUESDAY, 19)).due_at == at(wednesday, 18)
    saturday = TUESDAY + timedelta(days=4)
    monday = TUESDAY + timedelta(days=6)
    assert propose_due(LAPTOP, cal, at(saturday, 11)).due_at == at(monday, 18)
    # Christmas (Friday) is closed: the Monday after.
    assert next_opening(cal, at(CHRISTMAS, 10)) == at(date(2026, 12, 28), 9)


def test_lunch_break_counts_as_closed():
    cal = calendar({"tue": [["09:00", "12:30"], ["13:30", "18:00"]]})
    proposal = propose_due(ROOM, cal, at(TUESDAY, 12, 45))
    assert (proposal.due_at, proposal.by_policy) == (at(TUESDAY, 14), False)


def test_a_site_that_never_opens_offers_nothing():
    assert propose_due(LAPTOP, calendar({}), at(TUESDAY, 10)) is None
