DELETE FROM reminder_log WHERE kind = 'booking_cancelled';
ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_kind_check;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_kind_check
    CHECK (kind IN ('booking_start', 'loan_due', 'loan_overdue', 'waitlist_booked'));
DROP INDEX IF EXISTS booking_system_cancelled;
ALTER TABLE booking DROP COLUMN IF EXISTS cancel_note;
ALTER TABLE booking DROP COLUMN IF EXISTS cancel_reason;
