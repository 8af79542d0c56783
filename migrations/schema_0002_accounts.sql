-- Accounts (issue 3): the learner's pass is derived from a per-user version number, so the
-- phone can be shown the same QR again and rotating it is a bump of the number.
ALTER TABLE app_user ADD COLUMN pass_version integer NOT NULL DEFAULT 0;

-- Throttling counts an account's or an address's recent failures; the sweep deletes by age.
CREATE INDEX login_attempt_at ON login_attempt (at);
-- Deactivation and invite renewal look up a user's live sessions and invites.
CREATE INDEX user_session_user_live ON user_session (user_id) WHERE revoked_at IS NULL;
