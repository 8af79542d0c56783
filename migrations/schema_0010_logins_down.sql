-- The folded logins stay as they are (they are valid logins); only the rule goes.
ALTER TABLE app_user DROP CONSTRAINT IF EXISTS app_user_login_folded;
