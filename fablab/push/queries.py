"""Reads and writes of the push tables; SQL where ON CONFLICT claims carry the once-only guarantee."""

from __future__ import annotations

# A phone subscribes again after each sign-in (its endpoint is stable): the row moves to whoever is
# signed in on it now, with that session.
UPSERT_SUBSCRIPTION = """
INSERT INTO push_subscription (user_id, session_id, endpoint, p256dh, auth, lang)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (endpoint) DO UPDATE
    SET user_id = $1, session_id = $2, p256dh = $4, auth = $5, lang = $6, updated_at = now()
RETURNING id, endpoint, lang, created_at, session_id
"""

# Phones a user no longer uses are not kept for ever: beyond this many, the oldest go.
MAX_PER_USER = 10
TRIM_SUBSCRIPTIONS = """
DELETE FROM push_subscription WHERE user_id = $1 AND id NOT IN (
    SELECT id FROM push_subscription WHERE user_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2)
"""

DELETE_SUBSCRIPTION = "DELETE FROM push_subscription WHERE user_id = $1 AND endpoint = $2 RETURNING id"
DELETE_GONE = "DELETE FROM push_subscription WHERE id = $1"

SUBSCRIPTIONS_OF_USER = """
SELECT id, user_id, session_id, endpoint, p256dh, auth, lang, created_at FROM push_subscription
WHERE user_id = $1 ORDER BY created_at, id
"""

SUBSCRIPTIONS_OF_USERS = """
SELECT id, user_id, endpoint, p256dh, auth, lang FROM push_subscription
WHERE user_id = ANY($1::int[]) ORDER BY user_id, id
"""

# Claims one (event, device): a new row, or a 'retry' row whose back-off has passed. Committed on its
# own before the post, so a second worker finds 'sending' and leaves it: never two posts.
# Keyed by subject (migration 0027); booking_id ($6) kept for a booking's.
CLAIM = """
INSERT INTO push_delivery (subject, kind, recipient_id, subscription_id, status, attempts, last_tried_at, booking_id)
VALUES ($1, $2, $3, $4, 'sending', 1, $5, $6)
ON CONFLICT (subject, kind, recipient_id, subscription_id) DO UPDATE
    SET status = 'sending', attempts = push_delivery.attempts + 1, last_tried_at = $5, next_try_at = NULL
    WHERE push_delivery.status = 'retry' AND push_delivery.next_try_at <= $5
RETURNING id, attempts
"""

MARK_SENT = "UPDATE push_delivery SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = $1"
MARK_RETRY = "UPDATE push_delivery SET status = 'retry', next_try_at = $2, last_error = $3 WHERE id = $1"
MARK_FAILED = "UPDATE push_delivery SET status = 'failed', last_error = $2 WHERE id = $1"

# The sent-log only matters while an event can still be planned (three days at most, an overdue
# loan's catch-up); older rows would only keep linking people to bookings after anonymisation.
KEEP_DELIVERIES_DAYS = 7
PURGE_DELIVERIES = "DELETE FROM push_delivery WHERE last_tried_at < $1::timestamptz - make_interval(days => $2)"

# --- A person's data (fablab/push/person.py declares what each statement is for) ----------------
PERSON_SUBSCRIPTIONS = """
SELECT endpoint, lang, created_at, updated_at FROM push_subscription WHERE user_id = $1 ORDER BY id
"""
PERSON_FORGET_PHONES = "DELETE FROM push_subscription WHERE user_id = $1 RETURNING id"
RETAIN_DELIVERIES = "DELETE FROM push_delivery WHERE last_tried_at < $1 RETURNING id"
