-- Each worker remembers the sessions it has resolved (fablab/accounts/session_cache.py) and
-- forgets them all on this notification, sent at commit by any change to sessions or users:
-- logout, sign-out everywhere, deactivation, role or site change, deletion.
CREATE FUNCTION fablab_notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('fablab_auth', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER user_session_auth_change AFTER UPDATE OR DELETE OR TRUNCATE ON user_session
    FOR EACH STATEMENT EXECUTE FUNCTION fablab_notify_auth_change();
CREATE TRIGGER app_user_auth_change AFTER UPDATE OR DELETE OR TRUNCATE ON app_user
    FOR EACH STATEMENT EXECUTE FUNCTION fablab_notify_auth_change();
-- A session carries its user's site slug.
CREATE TRIGGER site_auth_change AFTER UPDATE OF slug ON site
    FOR EACH STATEMENT EXECUTE FUNCTION fablab_notify_auth_change();
