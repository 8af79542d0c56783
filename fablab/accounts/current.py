"""Who is making the request: the session cookie resolved against PostgreSQL, on any worker."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from fablab.domain import clock
from fablab.platform import db
from fablab.accounts.session_cache import SESSIONS
from fablab.domain.tokens import hash_token

SESSION_COOKIE = "fablab_session"


@dataclass(frozen=True)
class CurrentUser:
    id: int
    login: str
    name: str
    role: str
    site_id: int | None
    site: str | None
    session_id: int
    # The sites a staff account acts for (fablab/accounts/scope.py); empty for learners.
    site_ids: frozenset[int] = frozenset()

    @property
    def is_staff(self) -> bool:
        return self.role in ("staff", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


# Raw: every signed-in request not in the session cache runs this (session hot path), in one round trip.
SESSION_LOOKUP = """
SELECT s.id AS session_id, u.id, u.login, u.name, u.role, u.site_id, site.slug AS site, s.expires_at,
       CASE WHEN u.role IN ('staff', 'admin')
            THEN ARRAY(SELECT ss.site_id FROM staff_site ss WHERE ss.user_id = u.id) END AS site_ids
FROM user_session s
JOIN app_user u ON u.id = s.user_id
LEFT JOIN site ON site.id = u.site_id
WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.active
"""


async def user_for_session_token(token: str) -> CurrentUser | None:
    token_hash, now = hash_token(token), clock.now()
    user = SESSIONS.get(token_hash, now)
    if user is None:
        row = await db.fetchone(SESSION_LOOKUP, token_hash, now)
        if row is None:
            return None
        expires_at = row.pop("expires_at")
        user = CurrentUser(**{**row, "site_ids": frozenset(row["site_ids"] or ())})
        SESSIONS.put(token_hash, user, expires_at)
    return user


class SessionAuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets connection.user to a CurrentUser, or None for anonymous requests (guards decide)."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        user = await user_for_session_token(token) if token and len(token) < 200 else None
        return AuthenticationResult(user=user, auth=token if user else None)
