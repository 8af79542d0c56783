-- Closures (issue 15): a closure may cancel the confirmed bookings it hits, and the learners are
-- told through the reminders' sent-log like every other message.

-- Why a booking was cancelled by the system rather than by its owner or the desk: 'closure' (the
-- site closes those days; cancel_note holds the closure's reason, shown to the learner). NULL for
-- ordinary cancellations, which need no message.
ALTER TABLE booking ADD COLUMN cancel_reason text;
ALTER TABLE booking ADD COLUMN cancel_note text NOT NULL DEFAULT '';

-- "Your booking was cancelled" goes out once, through the sent-log.
ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_kind_check;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_kind_check
    CHECK (kind IN ('booking_start', 'loan_due', 'loan_overdue', 'waitlist_booked', 'booking_cancelled'));

-- The sender's look-up of recent system cancellations (few rows: a partial index).
CREATE INDEX booking_system_cancelled ON booking (cancelled_at) WHERE cancel_reason IS NOT NULL;
