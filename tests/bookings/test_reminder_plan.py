"""Which reminders a booking calls for and what they say (pure rules, no database)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fablab.bookings.reminder_plan import OVERDUE_CATCH_UP, Recipient, reminders_for
from fablab.reports.reminder_text import compose, french_moment

UTC = timezone.utc
STAFF = [Recipient(90, "Équipe", "staff", "equipe@example.org")]


def booking(status: str, starts_at: datetime, ends_at: datetime, **extra) -> dict:
    row = {"id": 7, "status": status, "starts_at": starts_at, "ends_at": ends_at,
           "created_at": starts_at - timedelta(days=2), "checked_out_at": None, "user_id": 5, "user_name": "Awa K.",
           "user_login": "learner17", "user_email": "awa@example.org", "user_reachable": True,
           "tag": "PAN-P3D-001", "resource_name": "Imprimante 3D 1", "site_name": "Pantin", "timezone": "Europe/Paris"}
    row.update(extra)
    return row


START = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # 14:00 in Paris (summer time)


def test_a_confirmed_booking_gets_one_reminder_an_hour_before():
    [reminder] = reminders_for(booking("confirmed", START, START + timedelta(hours=2)), STAFF)
    assert (reminder.kind, reminder.recipient.id, reminder.send_at) == ("booking_start", 5, START - timedelta(hours=1))
    assert not reminder.due(START - timedelta(minutes=61)) and reminder.due(START - timedelta(minutes=59))
    assert not reminder.due(START)  # once it has started, a reminder is pointless


def test_a_late_booking_or_a_fresh_loan_gets_no_early_reminder():
    assert reminders_for(booking("confirmed", START, START + timedelta(hours=2),
                                 created_at=START - timedelta(minutes=20)), STAFF) == []
    loan = booking("checked_out", START, START + timedelta(minutes=30), checked_out_at=START)
    assert [r.kind for r in reminders_for(loan, STAFF)][:2] == ["loan_overdue", "loan_overdue"]


def test_a_loan_out_gets_due_and_overdue_reminders_to_learner_and_staff():
    end = START + timedelta(days=2)
    plan = reminders_for(booking("checked_out", START, end, checked_out_at=START), STAFF)
    assert [(r.kind, r.recipient.role) for r in plan] == [
        ("loan_due", "learner"), ("loan_overdue", "learner"), ("loan_overdue", "staff"),
        ("loan_overdue_day", "learner"), ("loan_overdue_three_days", "learner"), ("loan_overdue_three_days", "staff")]
    overdue = plan[1]
    assert overdue.send_at == end + timedelta(minutes=15)
    assert overdue.due(end + timedelta(days=1)) and not overdue.due(overdue.send_at + OVERDUE_CATCH_UP)


def test_learners_without_a_usable_address_are_not_deliverable_and_anonymised_ones_not_listed():
    for address in (None, "", "not-an-address", "a@b.org\r\nBcc: x@y.org"):
        [reminder] = reminders_for(booking("confirmed", START, START + timedelta(hours=1), user_email=address), STAFF)
        assert not reminder.recipient.deliverable
    gone = booking("checked_out", START, START + timedelta(hours=3), user_reachable=False, checked_out_at=START)
    assert [r.recipient.role for r in reminders_for(gone, STAFF)] == ["staff", "staff"]
    assert reminders_for(booking("returned", START, START + timedelta(hours=1)), STAFF) == []


def test_times_are_the_sites_wall_clock_in_french():
    assert french_moment(START, "Europe/Paris") == "mercredi 10 juin à 14:00"
    assert french_moment(datetime(2026, 12, 1, 8, 0, tzinfo=UTC), "Europe/Paris") == "mardi 1 décembre à 09:00"
    [reminder] = reminders_for(booking("confirmed", START, START + timedelta(hours=2)), STAFF)
    message = compose(reminder, "Fablab <fablab@example.org>", START - timedelta(hours=1))
    assert message["Subject"] == "Rappel : Imprimante 3D 1, votre réservation commence à 14:00"
    assert message["Message-ID"] == "<reminder.7.booking_start.5@example.org>"
    assert "du mercredi 10 juin à 14:00\n  au mercredi 10 juin à 16:00" in message.get_content()
    assert "Fablab de Pantin" in message.get_content()


def test_a_loan_still_out_is_followed_up_after_a_day_and_three_days_staff_on_the_third():
    end = START + timedelta(hours=3)
    plan = reminders_for(booking("checked_out", START, end, checked_out_at=START), STAFF)
    follow = {(r.kind, r.recipient.role): r for r in plan if r.kind.startswith("loan_overdue_")}
    assert set(follow) == {("loan_overdue_day", "learner"), ("loan_overdue_three_days", "learner"),
                           ("loan_overdue_three_days", "staff")}
    day, third = follow[("loan_overdue_day", "learner")], follow[("loan_overdue_three_days", "staff")]
    assert day.send_at == end + timedelta(days=1) and third.send_at == end + timedelta(days=3)
    assert not day.due(end + timedelta(hours=23)) and day.due(end + timedelta(days=1, minutes=1))
    assert third.due(end + timedelta(days=3, hours=1)) and not third.due(end + timedelta(days=6))
    subject, body = compose(third, "Fablab <f@example.org>", end).get("Subject"), compose(
        follow[("loan_overdue_three_days", "learner")], "Fablab <f@example.org>", end).get_content()
    assert "trois jours" in subject and "PAN-P3D-001" in subject
    assert "suspendre" in body
