DELETE FROM reminder_log WHERE kind = 'waitlist_booked';
ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_kind_check;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_kind_check
    CHECK (kind IN ('booking_start', 'loan_due', 'loan_overdue'));
DROP TABLE waitlist_entry;
ALTER TABLE booking DROP CONSTRAINT booking_occurrence_in_series;
DROP INDEX booking_series_occurrences;
ALTER TABLE booking DROP COLUMN occurrence_date, DROP COLUMN series_id;
DROP TABLE booking_series;
