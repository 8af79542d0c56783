DROP INDEX IF EXISTS user_session_user_live;
DROP INDEX IF EXISTS login_attempt_at;
ALTER TABLE app_user DROP COLUMN IF EXISTS pass_version;
