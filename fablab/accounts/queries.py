"""Reads of the accounts domain: user lists and details, trainings."""

from __future__ import annotations

from datetime import datetime

from fablab.domain import clock
from fablab.platform import db
from fablab.accounts.training_validity import ENDS_SOON, Validity, certification_end
from fablab.tables import Training, User

MAX_LIST = 1000
VALIDITY_FIELDS = ("validity", "valid_days", "valid_until", "idle_days")

# Raw: the search ILIKEs three columns and orders accounts of no site first (NULLS FIRST), which
# Piccolo's order_by cannot say.
USER_COLUMNS = """
u.id, u.login, u.name, u.role, s.slug AS site, u.site_id, u.cohort, u.active,
(u.password_hash IS NOT NULL) AS activated, u.created_at
"""


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_users(*, site_ids: list[int] | None, roles: tuple[str, ...], q: str | None,
                     limit: int = MAX_LIST) -> list[dict]:
    """site_ids None: every site (and accounts of none)."""
    conditions, args = ["u.role = ANY($1::text[])", "u.anonymised_at IS NULL"], [list(roles)]
    if site_ids is not None:
        args.append(site_ids)
        conditions.append(f"u.site_id = ANY(${len(args)}::int[])")
    if q:
        args.append(like_pattern(q.strip()))
        n = len(args)
        conditions.append(f"(u.name ILIKE ${n} OR u.login ILIKE ${n} OR u.cohort ILIKE ${n})")
    args.append(limit)
    return await db.fetch(
        f"SELECT {USER_COLUMNS} FROM app_user u LEFT JOIN site s ON s.id = u.site_id "
        f"WHERE {' AND '.join(conditions)} ORDER BY s.slug NULLS FIRST, u.name, u.id LIMIT ${len(args)}",
        *args,
    )


async def user_row(user_id: int) -> dict | None:
    """The account as list_users shows it (same keys), or None."""
    row = await User.select(
        User.id, User.login, User.name, User.role, User.site.slug.as_alias("site"), User.site.as_alias("site_id"),
        User.cohort, User.active, User.password_hash, User.created_at,
    ).where(User.id == user_id).first()
    if row is not None:
        row["activated"] = row.pop("password_hash") is not None
    return row


# Raw: the last use of what each training unlocks is a correlated aggregate over the person's
# bookings of a kind or unit whose policy requires it (a training that lapses when not used).
# $1 the person, $2 now, $3 one training (NULL: all).
CERTIFICATIONS = """
SELECT c.training_id, t.name AS training, c.granted_at, c.expires_at, g.name AS granted_by,
       t.validity, t.valid_days, t.valid_until, t.idle_days,
       (SELECT max(b.starts_at) FROM booking b
        WHERE b.user_id = c.user_id AND b.status IN ('confirmed', 'checked_out', 'returned') AND b.starts_at <= $2
          AND EXISTS (SELECT FROM policy p WHERE p.training_id = c.training_id AND p.site_id = b.site_id
                      AND p.kind = b.kind AND (p.resource_id IS NULL OR p.resource_id = b.resource_id))) AS last_used_at
FROM certification c JOIN training t ON t.id = c.training_id LEFT JOIN app_user g ON g.id = c.granted_by_id
WHERE c.user_id = $1 AND ($3::int IS NULL OR c.training_id = $3)
ORDER BY t.name
"""


def _with_end(row: dict, now: datetime) -> dict:
    rule = Validity(**{key: row.pop(key) for key in VALIDITY_FIELDS})
    row["validity"] = rule.validity
    row["ends_at"] = certification_end(rule, granted_at=row["granted_at"], expires_at=row["expires_at"],
                                       last_used_at=row["last_used_at"])
    row["expired"] = row["ends_at"] is not None and row["ends_at"] <= now
    row["ends_soon"] = not row["expired"] and row["ends_at"] is not None and row["ends_at"] - now <= ENDS_SOON
    return row


async def certifications(user_id: int, now: datetime | None = None, training_id: int | None = None) -> list[dict]:
    """A person's trainings, each with when it ends (None: never) and whether it has."""
    now = now or clock.now()
    return [_with_end(row, now) for row in await db.fetch(CERTIFICATIONS, user_id, now, training_id)]


async def trainings() -> list[dict]:
    return await Training.select(Training.id, Training.name, Training.description, Training.validity,
                                 Training.valid_days, Training.valid_until, Training.idle_days).order_by(Training.name)


# Raw: a row lock (FOR NO KEY UPDATE, so bookings' foreign-key checks on the user do not wait).
LOCK_USER = "SELECT 1 FROM app_user WHERE id = $1 FOR NO KEY UPDATE"

# Raw: ordered by lower(name), lower(login), which Piccolo's order_by cannot say.
UNINVITED_OF_COHORT = """
SELECT id, name, login, cohort FROM app_user
WHERE role = 'learner' AND active AND password_hash IS NULL AND site_id = $1 AND cohort = $2
ORDER BY lower(name), lower(login) LIMIT $3
"""

# Raw: lower(login) is what the unique index app_user_login_ci serves (logins are stored folded).
USER_BY_FOLDED_LOGIN = """
SELECT u.id, u.login, u.name, u.role, u.cohort, u.active, u.password_hash, s.slug AS site
FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE lower(u.login) = $1
"""

# Raw: a transaction-level advisory lock per throttling key, so that workers count and insert in turn.
ATTEMPTS_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"

# Raw: read under that lock on every login (count and latest in one aggregate).
FAILURES_SINCE = "SELECT count(*) AS failures, max(at) AS latest FROM login_attempt WHERE key = $1 AND at > $2"

# Raw: the n-th newest failure (OFFSET), when an address falls back under its limit.
NTH_LATEST_ATTEMPT = "SELECT at FROM login_attempt WHERE key = $1 AND at > $2 ORDER BY at DESC OFFSET $3 LIMIT 1"

# --- A person's data (fablab/accounts/person.py declares what each statement is for) ------------
PERSON_ACCOUNT = """
SELECT u.id, u.login, u.name, u.email, u.role, s.slug AS site, u.cohort, u.active, u.birth_date, u.birth_year,
       u.password_hash IS NOT NULL AS activated, u.pass_token_hash IS NOT NULL AS pass_shown, u.created_at, u.updated_at
FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE u.id = $1
"""
# The desk pass ends: the version moves on, so the old QR matches no stored hash.
PERSON_NEW_PASS = """
UPDATE app_user SET pass_version = pass_version + 1, pass_token_hash = NULL, updated_at = now() WHERE id = $1
RETURNING id
"""
# Failed sign-ins are keyed by the login itself, not by a reference (fablab/accounts/throttle.py): the
# account's own key and those of its known devices ("device:{login}:{nonce}"; starts_with, not LIKE,
# because a login may hold "_").
PERSON_LOGIN_ATTEMPTS = """
DELETE FROM login_attempt a USING app_user u
WHERE u.id = $1 AND (a.key = 'login:' || u.login OR starts_with(a.key, 'device:' || u.login || ':'))
"""
PERSON_STAFF_SITES = """
SELECT s.slug AS site, ss.granted_at FROM staff_site ss JOIN site s ON s.id = ss.site_id WHERE ss.user_id = $1
ORDER BY s.slug
"""
PERSON_CERTIFICATIONS = """
SELECT t.name AS training, c.granted_at, c.expires_at FROM certification c JOIN training t ON t.id = c.training_id
WHERE c.user_id = $1 ORDER BY t.name
"""
RETAIN_CERTIFICATION_GRANTORS = """
UPDATE certification SET granted_by_id = NULL WHERE granted_at < $1 AND granted_by_id IS NOT NULL RETURNING id
"""
PERSON_SESSIONS = """
SELECT created_at, expires_at, revoked_at FROM user_session WHERE user_id = $1 ORDER BY created_at
"""
# Revoking a session also deletes the push subscriptions made in it (trigger of migration 0015).
PERSON_END_SESSIONS = "UPDATE user_session SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id"
PERSON_INVITES = """
SELECT created_at, expires_at, used_at, revoked_at FROM invite WHERE user_id = $1 ORDER BY created_at
"""
PERSON_REVOKE_INVITES = """
UPDATE invite SET revoked_at = now() WHERE user_id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING id
"""
RETAIN_INVITERS = "UPDATE invite SET created_by_id = NULL WHERE created_at < $1 AND created_by_id IS NOT NULL RETURNING id"
# Raw: an account's failures and those of its known devices (keys starting "device:{login}:");
# starts_with, not LIKE, because a login may hold "_".
FORGET_ACCOUNT_ATTEMPTS = "DELETE FROM login_attempt WHERE key = $1 OR starts_with(key, $2) RETURNING id"
