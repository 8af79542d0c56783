"""Sign-in and sessions: writes and rules of the accounts domain."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.platform import db
from fablab.accounts import devices, throttle
from fablab.accounts.logins import lookup_form
from fablab.accounts.passes import user_id_for_pass  # noqa: F401 - the inventory domain imports it from here
from fablab.accounts.passwords import hash_password, verify_password
from fablab.accounts.queries import USER_BY_FOLDED_LOGIN
from fablab.accounts.session_cache import SESSIONS
from fablab.accounts.strength import check_new_password  # noqa: F401 - invites import it from here
from fablab.platform.db import NOW
from fablab.domain.errors import DomainError
from fablab.tables import User, UserSession
from fablab.domain.tokens import hash_token, new_token


class InvalidCredentials(DomainError):
    status, code, title = 401, codes.INVALID_CREDENTIALS, "Wrong login or password"


async def hash_new_password(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU: off the event loop, other requests go on.
    return await asyncio.to_thread(hash_password, password)


async def open_session(*, user_id: int, session_hours: int) -> str:
    token = new_token()
    now = clock.now()
    await UserSession.insert(UserSession(token_hash=hash_token(token), user=user_id, created_at=now,
                                         expires_at=now + timedelta(hours=session_hours)))
    return token


async def login(*, login: str, password: str, address: str, session_hours: int, secret_key: str,
                device_cookie: str | None = None) -> tuple[dict, str, str]:
    """Check the password and open a session; returns the user row, the session token and the
    device cookie's new value.

    `address` is the client address as the ASGI server saw it (a trusted proxy's
    X-Forwarded-For only); a header the client sets itself must not reset its count.
    `device_cookie`: what the browser showed (accounts.devices); proven for this login, the
    attempt is judged on that device's own bucket.
    """
    stored_login = lookup_form(login)  # None: no account can have this login (İ, spaces, ...)
    device = devices.known_device(secret_key, device_cookie, stored_login)
    reserved = await throttle.reserve(login=login, address=address, device=device)
    user = None if stored_login is None else await db.fetchone(USER_BY_FOLDED_LOGIN, stored_login)
    password_ok = await asyncio.to_thread(verify_password, user["password_hash"] if user else None, password)
    if user is None or not password_ok or not user["active"]:
        raise InvalidCredentials("Login or password is wrong.")
    await throttle.succeeded(login=login, reserved=reserved, device=device)
    token = await open_session(user_id=user["id"], session_hours=session_hours)
    user.pop("password_hash")
    user["sites"] = await scope.site_slugs(user["id"], user["role"])
    return user, token, devices.remember(secret_key, device_cookie, stored_login)


async def logout(*, session_id: int) -> None:
    await UserSession.update({UserSession.revoked_at: NOW}).where(
        UserSession.id == session_id, UserSession.revoked_at.is_null())
    # Other workers forget it when the change commits (session_cache); this one at once.
    SESSIONS.forget_all()


async def end_all_sessions(user_id: int) -> int:
    """Signs the user out on every worker: each forgets its remembered sessions when this commits."""
    rows = await UserSession.update({UserSession.revoked_at: NOW}).where(
        UserSession.user == user_id, UserSession.revoked_at.is_null()).returning(UserSession.id)
    SESSIONS.forget_all()
    return len(rows)


async def sweep_sessions(now: datetime | None = None) -> int:
    """Forget sessions that ended more than a month ago (they only matter while live)."""
    cutoff = (now or clock.now()) - timedelta(days=30)
    rows = await UserSession.delete().where(
        (UserSession.expires_at < cutoff) | (UserSession.revoked_at < cutoff)).returning(UserSession.id)
    return len(rows)


async def user_out(user_id: int) -> dict | None:
    row = await User.select(
        User.id, User.login, User.name, User.role, User.site.slug.as_alias("site"), User.cohort, User.active,
    ).where(User.id == user_id).first()
    if row is not None:
        row["sites"] = await scope.site_slugs(user_id, row["role"])
    return row
