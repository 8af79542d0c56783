DROP TRIGGER IF EXISTS user_session_push_forget ON user_session;
DROP FUNCTION IF EXISTS fablab_push_forget_revoked_sessions();
DROP TABLE IF EXISTS push_delivery;
DROP TABLE IF EXISTS push_subscription;
