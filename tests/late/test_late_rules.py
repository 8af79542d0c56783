"""When a return is a strike and when strikes suspend (pure rules, no database)."""

from datetime import datetime, timedelta, timezone

from fablab.late.rules import LatePolicy, is_strike, suspends

DUE = datetime(2026, 11, 20, 17, tzinfo=timezone.utc)
ON = LatePolicy(enabled=True, grace_minutes=15, strikes=3, window_days=30, suspension_days=14)


def test_a_return_later_than_the_grace_is_a_strike_only_under_a_policy_that_is_on():
    assert not is_strike(ON, due_at=DUE, returned_at=DUE + timedelta(minutes=15))
    assert is_strike(ON, due_at=DUE, returned_at=DUE + timedelta(minutes=16))
    assert not is_strike(LatePolicy(), due_at=DUE, returned_at=DUE + timedelta(days=3))  # off by default


def test_the_nth_strike_suspends():
    assert [suspends(ON, n) for n in (1, 2, 3, 4)] == [False, False, True, True]
    assert not suspends(LatePolicy(), 10)
    assert ON.suspension == timedelta(days=14) and ON.window == timedelta(days=30)
