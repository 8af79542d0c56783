"""Which reminders a booking calls for, when, and to whom: pure rules, no I/O (its SQL: reminders.py)."""

from __future__ import annotations

from datetime import timedelta

# The reminder's types are the kernel's: reports (e-mail) and push deliver what this plans.
from fablab.domain.reminder_types import Recipient, Reminder

# Sent this long before a booking starts and before a loan is due.
START_LEAD = timedelta(hours=1)
DUE_LEAD = timedelta(hours=1)
# A loan is reported overdue this long after its end: a return at closing time is not late.
OVERDUE_AFTER = timedelta(minutes=15)
# Once this stale (the job was down, SMTP was just configured), an overdue notice is not sent any more.
OVERDUE_CATCH_UP = timedelta(days=3)
# A loan still out is followed up (issue 31): the learner a day after its due time, the learner
# and the site's staff on the third day. Each is worth sending until the next one.
OVERDUE_FOLLOW_UPS = (("loan_overdue_day", timedelta(days=1), False),
                      ("loan_overdue_three_days", timedelta(days=3), True))
FOLLOW_UP_CATCH_UP = timedelta(days=2)
# How far back a loan's due time may lie for any overdue reminder to be still worth sending.
OVERDUE_LOOKBACK = max(OVERDUE_AFTER + OVERDUE_CATCH_UP, OVERDUE_FOLLOW_UPS[-1][1] + FOLLOW_UP_CATCH_UP)

def learner_of(booking: dict) -> Recipient | None:
    if booking.get("user_id") is None or not booking.get("user_reachable"):
        return None
    email = (booking.get("user_email") or "").strip() or None
    return Recipient(booking["user_id"], booking["user_name"], "learner", email)


def reminders_for(booking: dict, site_staff: list[Recipient]) -> list[Reminder]:
    """Every reminder the booking's current state calls for, whatever the time now.

    booking: id, status, starts_at, ends_at, created_at, checked_out_at, user fields.
    A booking made less than START_LEAD before it starts, or a loan handed over less than
    DUE_LEAD before it is due, gets no "soon" reminder: the learner was just told at the desk.
    """
    learner = learner_of(booking)
    out = []
    if booking["status"] == "confirmed" and learner:
        send_at = booking["starts_at"] - START_LEAD
        if booking["created_at"] <= send_at:
            out.append(Reminder("booking_start", booking, learner, send_at, booking["starts_at"]))
    elif booking["status"] == "checked_out":
        send_at = booking["ends_at"] - DUE_LEAD
        handed_over = booking.get("checked_out_at") or booking["starts_at"]
        if learner and handed_over <= send_at:
            out.append(Reminder("loan_due", booking, learner, send_at, booking["ends_at"]))
        overdue_at = booking["ends_at"] + OVERDUE_AFTER
        # A staff member who borrowed the item is told once, as the borrower.
        staff = [member for member in site_staff if not learner or member.id != learner.id]
        for recipient in ([learner] if learner else []) + staff:
            out.append(Reminder("loan_overdue", booking, recipient, overdue_at, overdue_at + OVERDUE_CATCH_UP))
        out += overdue_follow_ups(booking, learner, staff)
    return out


def overdue_follow_ups(booking: dict, learner: Recipient | None, staff: list[Recipient]) -> list[Reminder]:
    """A loan still out a day and three days after its due time: the learner each time, staff on the third."""
    out = []
    for kind, after, tell_staff in OVERDUE_FOLLOW_UPS:
        send_at = booking["ends_at"] + after
        for recipient in ([learner] if learner else []) + (staff if tell_staff else []):
            out.append(Reminder(kind, booking, recipient, send_at, send_at + FOLLOW_UP_CATCH_UP))
    return out


# A cancelled booking's notice stays worth sending this long (or until the booking would have started).
WITHDRAWN_NOTICE = timedelta(days=1)


def withdrawn_reminders(booking: dict) -> list[Reminder]:
    """"Your booking is cancelled: the item was retired or lost": once, soon after the cancellation."""
    learner = learner_of(booking)
    cancelled = booking["status"] == "cancelled" and booking.get("cancel_reason")
    # A loan a closure shortened (still confirmed, the closure's reason in cancel_note): told once too.
    shortened = booking["status"] == "confirmed" and not booking.get("cancel_reason") and booking.get("cancel_note")
    if learner is None or not (cancelled or shortened):
        return []
    sent_at = booking["cancelled_at"]
    return [Reminder("booking_withdrawn", booking, learner, sent_at,
                     min(booking["ends_at"], sent_at + WITHDRAWN_NOTICE))]
