-- Web Push (issue 20). A subscription is one browser on one phone: its push-service endpoint and
-- the keys its messages are encrypted to. It belongs to the user signed in when it was made and
-- remembers that session, so signing out on that phone stops its notifications (trigger below).
CREATE TABLE push_subscription (
    id          bigserial PRIMARY KEY,
    user_id     integer NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    -- Expired sessions are purged; the phone keeps receiving until someone signs out on it.
    session_id  bigint REFERENCES user_session(id) ON DELETE SET NULL,
    endpoint    text NOT NULL CHECK (length(endpoint) <= 1024),
    p256dh      text NOT NULL,
    auth        text NOT NULL,
    lang        text NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr', 'en')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT push_subscription_endpoint_once UNIQUE (endpoint)
);
CREATE INDEX push_subscription_user ON push_subscription (user_id);
CREATE INDEX push_subscription_session ON push_subscription (session_id) WHERE session_id IS NOT NULL;

-- The push channel's sent-log: one row per (planned event, device). The sender claims the row
-- ('sending') in a short transaction of its own before posting, so two workers never both post;
-- 'retry' rows (429, 5xx, network) are claimed again once next_try_at has passed.
CREATE TABLE push_delivery (
    id              bigserial PRIMARY KEY,
    booking_id      bigint NOT NULL REFERENCES booking(id),
    kind            text NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
    recipient_id    integer NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    subscription_id bigint NOT NULL REFERENCES push_subscription(id) ON DELETE CASCADE,
    status          text NOT NULL CHECK (status IN ('sending', 'sent', 'retry', 'failed')),
    attempts        integer NOT NULL DEFAULT 1 CHECK (attempts > 0),
    last_tried_at   timestamptz NOT NULL,
    next_try_at     timestamptz,
    sent_at         timestamptz,
    last_error      text,
    CONSTRAINT push_delivery_once UNIQUE (booking_id, kind, recipient_id, subscription_id),
    CONSTRAINT push_delivery_sent_has_time CHECK (status <> 'sent' OR sent_at IS NOT NULL),
    CONSTRAINT push_delivery_retry_has_time CHECK (status <> 'retry' OR next_try_at IS NOT NULL)
);
CREATE INDEX push_delivery_subscription ON push_delivery (subscription_id);
-- The job forgets deliveries older than a week (fablab/push/queries.py, PURGE_DELIVERIES).
CREATE INDEX push_delivery_tried ON push_delivery (last_tried_at);

-- Signing out (one phone, every phone, a deactivation) revokes sessions: the subscriptions made
-- in them go too, whichever code path revoked them.
CREATE FUNCTION fablab_push_forget_revoked_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM push_subscription p USING revoked_now r
    WHERE p.session_id = r.id AND r.revoked_at IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER user_session_push_forget AFTER UPDATE ON user_session
    REFERENCING NEW TABLE AS revoked_now
    FOR EACH STATEMENT EXECUTE FUNCTION fablab_push_forget_revoked_sessions();

-- Someone else's booking cancelled at the desk says so (cancel_reason 'staff'), and the learner is
-- told by the reminders' booking_withdrawn notice, on every channel. 'closure' is listed too, so this
-- holds whichever order the closures migration (0013) and this one are merged in.
ALTER TABLE booking DROP CONSTRAINT IF EXISTS booking_cancel_reason_check;
ALTER TABLE booking ADD CONSTRAINT booking_cancel_reason_check
    CHECK (cancel_reason IS NULL OR cancel_reason IN ('resource_retired', 'resource_lost', 'closure', 'staff'));
