-- Rows about subjects other than bookings cannot be keyed by booking again: they go.
DROP INDEX push_delivery_booking;
DELETE FROM push_delivery WHERE booking_id IS NULL;
ALTER TABLE push_delivery DROP CONSTRAINT push_delivery_once;
ALTER TABLE push_delivery ADD CONSTRAINT push_delivery_once UNIQUE (booking_id, kind, recipient_id, subscription_id);
ALTER TABLE push_delivery ALTER COLUMN booking_id SET NOT NULL;
ALTER TABLE push_delivery DROP COLUMN subject;

DROP INDEX reminder_log_booking;
DELETE FROM reminder_log WHERE booking_id IS NULL OR recipient_id IS NULL
    OR kind IN ('consent_expiring', 'seated', 'workshop_cancelled');
ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_kind_check;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_kind_check
    CHECK (kind IN ('booking_start', 'loan_due', 'loan_overdue', 'waitlist_booked', 'booking_withdrawn',
                    'loan_overdue_day', 'loan_overdue_three_days'));
ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_once;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_once UNIQUE (booking_id, kind, recipient_id);
ALTER TABLE reminder_log ALTER COLUMN recipient_id SET NOT NULL;
ALTER TABLE reminder_log ALTER COLUMN booking_id SET NOT NULL;
ALTER TABLE reminder_log DROP COLUMN subject;
