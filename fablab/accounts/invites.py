"""One-time invites: the link (shown as a QR) a learner opens on their phone to set a password."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fablab import db
from fablab.accounts.qr import qr_svg
from fablab.accounts.service import check_new_password, end_all_sessions, hash_new_password, open_session
from fablab.db import DB
from fablab.errors import NotFound
from fablab.tokens import hash_token, new_token

# Long enough for a learner to find a moment with network; short enough that a photo of a
# forgotten QR on a desk is soon worthless.
INVITE_LIFETIME = timedelta(days=7)
MAX_TOKEN_LENGTH = 200
INVITE_NOT_FOUND = "This invite link is unknown, already used or expired; ask the staff for a new one."

LIVE_INVITE = """
SELECT i.id, i.user_id, i.expires_at, u.name, u.login, u.role
FROM invite i JOIN app_user u ON u.id = i.user_id
WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2
"""


def invite_url(base_url: str, token: str) -> str:
    return f"{base_url}/#/invite/{token}"


def invite_payload(base_url: str, token: str, expires_at: datetime) -> dict:
    url = invite_url(base_url, token)
    return {"url": url, "token": token, "expires_at": expires_at, "qr_svg": qr_svg(url)}


async def issue(*, user_id: int, created_by_id: int | None, now: datetime | None = None) -> tuple[str, datetime]:
    """A new invite for the user; any older unused one stops working. Returns (token, expires_at)."""
    now = now or datetime.now(timezone.utc)
    token = new_token()
    expires_at = now + INVITE_LIFETIME
    async with DB.transaction():
        await revoke_all(user_id)
        await db.fetch(
            "INSERT INTO invite (token_hash, user_id, created_by_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            hash_token(token), user_id, created_by_id, now, expires_at,
        )
    return token, expires_at


async def revoke_all(user_id: int) -> None:
    await db.fetch(
        "UPDATE invite SET revoked_at = now() WHERE user_id = $1 AND used_at IS NULL AND revoked_at IS NULL",
        user_id,
    )


async def _live(token: str, now: datetime) -> dict:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(INVITE_NOT_FOUND, code="unknown_invite")
    row = await db.fetchone(LIVE_INVITE, hash_token(token), now)
    if row is None:
        raise NotFound(INVITE_NOT_FOUND, code="unknown_invite")
    return row


async def describe(token: str, now: datetime | None = None) -> dict:
    """What the activation screen shows: whose account this link opens."""
    row = await _live(token, now or datetime.now(timezone.utc))
    return {"name": row["name"], "login": row["login"], "expires_at": row["expires_at"]}


async def accept(*, token: str, password: str, session_hours: int, now: datetime | None = None) -> tuple[int, str]:
    """Set the password, (re)activate the account, sign out its other sessions and open one here.

    Returns (user id, session token). The invite is marked used by one conditional UPDATE, so two
    phones opening the same link at once get one account and one 404.
    """
    now = now or datetime.now(timezone.utc)
    invite = await _live(token, now)
    check_new_password(password, login=invite["login"], role=invite["role"], name=invite["name"])
    password_hash = await hash_new_password(password)
    async with DB.transaction():
        used = await db.fetchval(
            "UPDATE invite SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL "
            "AND expires_at > $2 RETURNING user_id",
            invite["id"], now,
        )
        if used is None:
            raise NotFound(INVITE_NOT_FOUND, code="unknown_invite")
        await db.fetch(
            "UPDATE app_user SET password_hash = $2, active = true, updated_at = now() WHERE id = $1",
            used, password_hash,
        )
        await end_all_sessions(used)
        session_token = await open_session(user_id=used, session_hours=session_hours)
    return used, session_token


async def pending_expiry(user_id: int) -> datetime | None:
    return await db.fetchval(
        "SELECT max(expires_at) FROM invite WHERE user_id = $1 AND used_at IS NULL AND revoked_at IS NULL "
        "AND expires_at > now()",
        user_id,
    )
