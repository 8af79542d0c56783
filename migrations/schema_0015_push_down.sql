UPDATE booking SET cancel_reason = NULL WHERE cancel_reason = 'staff';
ALTER TABLE booking DROP CONSTRAINT IF EXISTS booking_cancel_reason_check;
ALTER TABLE booking ADD CONSTRAINT booking_cancel_reason_check
    CHECK (cancel_reason IS NULL OR cancel_reason IN ('resource_retired', 'resource_lost', 'closure'));
DROP TRIGGER IF EXISTS user_session_push_forget ON user_session;
DROP FUNCTION IF EXISTS fablab_push_forget_revoked_sessions();
DROP TABLE IF EXISTS push_delivery;
DROP TABLE IF EXISTS push_subscription;
