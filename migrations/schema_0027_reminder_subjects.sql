-- A reminder is about a subject any domain names (issue 25, item 4): 'booking:123',
-- 'consent:7', 'workshop_registration:45'. The sent-logs are keyed by (subject, kind, recipient), so
-- a domain whose rows are not bookings declares its reminders as a source instead of keeping a
-- job and a sent-log of its own. booking_id stays, nullable, for the booking's subjects: the person
-- lifecycle and a booking's deletion still find their rows through it.

ALTER TABLE reminder_log ADD COLUMN subject text;
UPDATE reminder_log SET subject = 'booking:' || booking_id;
ALTER TABLE reminder_log ALTER COLUMN subject SET NOT NULL;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_subject_shape CHECK (subject ~ '^[a-z_]{1,40}:[0-9]{1,19}$');
ALTER TABLE reminder_log ALTER COLUMN booking_id DROP NOT NULL;
-- A guardian has no account (issue 30): a reminder sent to a subject's own address has no
-- recipient_id, and the claim still holds once for it (NULLS NOT DISTINCT).
ALTER TABLE reminder_log ALTER COLUMN recipient_id DROP NOT NULL;
ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_once;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_once UNIQUE NULLS NOT DISTINCT (subject, kind, recipient_id);
CREATE INDEX reminder_log_booking ON reminder_log (booking_id) WHERE booking_id IS NOT NULL;
-- The guardian's reminder of a consent about to expire (fablab/minors/reminders.py), and a sign-up's
-- notices (fablab/workshops/notices.py: a seat from the waiting list, the workshop cancelled).
ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_kind_check;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_kind_check
    CHECK (kind IN ('booking_start', 'loan_due', 'loan_overdue', 'waitlist_booked', 'booking_withdrawn',
                    'loan_overdue_day', 'loan_overdue_three_days', 'consent_expiring', 'seated',
                    'workshop_cancelled'));

-- Push only reaches accounts: recipient_id stays required there.
ALTER TABLE push_delivery ADD COLUMN subject text;
UPDATE push_delivery SET subject = 'booking:' || booking_id;
ALTER TABLE push_delivery ALTER COLUMN subject SET NOT NULL;
ALTER TABLE push_delivery ADD CONSTRAINT push_delivery_subject_shape CHECK (subject ~ '^[a-z_]{1,40}:[0-9]{1,19}$');
ALTER TABLE push_delivery ALTER COLUMN booking_id DROP NOT NULL;
ALTER TABLE push_delivery DROP CONSTRAINT push_delivery_once;
ALTER TABLE push_delivery ADD CONSTRAINT push_delivery_once UNIQUE (subject, kind, recipient_id, subscription_id);
CREATE INDEX push_delivery_booking ON push_delivery (booking_id) WHERE booking_id IS NOT NULL;
