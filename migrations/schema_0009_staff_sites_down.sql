DELETE FROM reminder_log WHERE kind = 'booking_withdrawn';
ALTER TABLE reminder_log DROP CONSTRAINT reminder_log_kind_check;
ALTER TABLE reminder_log ADD CONSTRAINT reminder_log_kind_check
    CHECK (kind IN ('booking_start', 'loan_due', 'loan_overdue', 'waitlist_booked'));
ALTER TABLE booking DROP COLUMN cancel_reason;
DROP TRIGGER IF EXISTS staff_site_auth_change ON staff_site;
DROP TRIGGER IF EXISTS app_user_home_site ON app_user;
DROP FUNCTION IF EXISTS fablab_grant_home_site();
DROP TABLE staff_site;
