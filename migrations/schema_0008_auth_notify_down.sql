DROP TRIGGER IF EXISTS site_auth_change ON site;
DROP TRIGGER IF EXISTS app_user_auth_change ON app_user;
DROP TRIGGER IF EXISTS user_session_auth_change ON user_session;
DROP FUNCTION IF EXISTS fablab_notify_auth_change();
