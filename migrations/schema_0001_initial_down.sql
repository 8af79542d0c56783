DROP TABLE IF EXISTS app_setting, login_attempt, invite, feed_token, user_session, movement,
    audit, booking, certification, policy, resource, training, app_user, closure, site CASCADE;
DROP FUNCTION IF EXISTS movement_append_only();
-- btree_gist stays: other databases objects may use it, and it holds no data.
