"""One-time invites: the link (shown as a QR) a learner opens on their phone to set a password."""

from __future__ import annotations

from datetime import datetime, timedelta

from piccolo.query.functions.aggregate import Max

from fablab.domain import clock, codes
from fablab.accounts.qr import qr_svg
from fablab.accounts.service import check_new_password, end_all_sessions, hash_new_password, open_session
from fablab.platform.db import DB, NOW
from fablab.domain.errors import NotFound
from fablab.tables import Invite, Site, User
from fablab.domain.tokens import hash_token, new_token

# Long enough for a learner to find a moment with network; short enough that a photo of a
# forgotten QR on a desk is soon worthless.
INVITE_LIFETIME = timedelta(days=7)
MAX_TOKEN_LENGTH = 200
INVITE_NOT_FOUND = "This invite link is unknown, already used or expired; ask the staff for a new one."

def invite_url(base_url: str, token: str) -> str:
    return f"{base_url}/#/invite/{token}"


def invite_payload(base_url: str, token: str, expires_at: datetime) -> dict:
    url = invite_url(base_url, token)
    return {"url": url, "token": token, "expires_at": expires_at, "qr_svg": qr_svg(url)}


async def issue(*, user_id: int, created_by_id: int | None, now: datetime | None = None) -> tuple[str, datetime]:
    """A new invite for the user; any older unused one stops working. Returns (token, expires_at)."""
    now = now or clock.now()
    token = new_token()
    expires_at = now + INVITE_LIFETIME
    async with DB.transaction():
        await revoke_all(user_id)
        await Invite.insert(Invite(token_hash=hash_token(token), user=user_id, created_by=created_by_id,
                                   created_at=now, expires_at=expires_at))
    return token, expires_at


async def revoke_all(user_id: int) -> None:
    await Invite.update({Invite.revoked_at: NOW}).where(
        Invite.user == user_id, Invite.used_at.is_null(), Invite.revoked_at.is_null())


async def _live(token: str, now: datetime) -> dict:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(INVITE_NOT_FOUND, code=codes.UNKNOWN_INVITE)
    row = await Invite.select(
        Invite.id, Invite.user.as_alias("user_id"), Invite.expires_at, Invite.user.name.as_alias("name"),
        Invite.user.login.as_alias("login"), Invite.user.role.as_alias("role"),
    ).where(Invite.token_hash == hash_token(token), Invite.used_at.is_null(), Invite.revoked_at.is_null(),
            Invite.expires_at > now).first()
    if row is None:
        raise NotFound(INVITE_NOT_FOUND, code=codes.UNKNOWN_INVITE)
    return row


async def describe(token: str, now: datetime | None = None) -> dict:
    """What the activation screen shows: whose account this link opens."""
    row = await _live(token, now or clock.now())
    return {"name": row["name"], "login": row["login"], "expires_at": row["expires_at"]}


async def site_words() -> tuple[str, ...]:
    """The sites' slugs and names: words anyone here would try first in a password."""
    rows = await Site.select(Site.slug, Site.name)
    return tuple(word for row in rows for word in (row["slug"], row["name"]))


async def accept(*, token: str, password: str, session_hours: int, now: datetime | None = None) -> tuple[int, str]:
    """Set the password, (re)activate the account, sign out its other sessions and open one here.

    Returns (user id, session token). The invite is marked used by one conditional UPDATE, so two
    phones opening the same link at once get one account and one 404.
    """
    now = now or clock.now()
    invite = await _live(token, now)
    check_new_password(password, login=invite["login"], role=invite["role"], name=invite["name"],
                       words=await site_words())
    password_hash = await hash_new_password(password)
    async with DB.transaction():
        marked = await Invite.update({Invite.used_at: now}).where(
            Invite.id == invite["id"], Invite.used_at.is_null(), Invite.revoked_at.is_null(), Invite.expires_at > now,
        ).returning(Invite.user)
        if not marked:
            raise NotFound(INVITE_NOT_FOUND, code=codes.UNKNOWN_INVITE)
        used = marked[0]["user_id"]
        await User.update({User.password_hash: password_hash, User.active: True, User.updated_at: NOW}).where(
            User.id == used)
        await end_all_sessions(used)
        session_token = await open_session(user_id=used, session_hours=session_hours)
    return used, session_token


async def pending_expiry(user_id: int) -> datetime | None:
    row = await Invite.select(Max(Invite.expires_at, alias="expires_at")).where(
        Invite.user == user_id, Invite.used_at.is_null(), Invite.revoked_at.is_null(), Invite.expires_at > NOW,
    ).first()
    return row["expires_at"]
