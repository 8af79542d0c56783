DELETE FROM reminder_log WHERE kind IN ('loan_overdue_day', 'loan_overdue_three_days');
ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_kind_check;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_kind_check
    CHECK (kind IN ('booking_start', 'loan_due', 'loan_overdue', 'waitlist_booked', 'booking_withdrawn'));
DROP TABLE suspension;
DROP TABLE late_strike;
DROP TABLE late_policy;
ALTER TABLE training DROP CONSTRAINT training_validity_complete,
    DROP COLUMN idle_days, DROP COLUMN valid_until, DROP COLUMN valid_days, DROP COLUMN validity;
