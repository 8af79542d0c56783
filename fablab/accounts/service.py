"""Sign-in and sessions: writes and rules of the accounts domain."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from fablab import db, scope
from fablab.accounts import throttle
from fablab.accounts.logins import lookup_form
from fablab.accounts.passes import user_id_for_pass  # noqa: F401 - the inventory domain imports it from here
from fablab.accounts.passwords import hash_password, verify_password
from fablab.accounts.session_cache import SESSIONS
from fablab.accounts.strength import check_new_password  # noqa: F401 - invites import it from here
from fablab.errors import DomainError
from fablab.tokens import hash_token, new_token

class InvalidCredentials(DomainError):
    status, code, title = 401, "invalid_credentials", "Wrong login or password"


async def hash_new_password(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU: off the event loop, other requests go on.
    return await asyncio.to_thread(hash_password, password)


async def open_session(*, user_id: int, session_hours: int) -> str:
    token = new_token()
    now = datetime.now(timezone.utc)
    await db.fetch(
        "INSERT INTO user_session (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        hash_token(token), user_id, now, now + timedelta(hours=session_hours),
    )
    return token


async def login(*, login: str, password: str, address: str, session_hours: int) -> tuple[dict, str]:
    """Check the password and open a session; returns the user row and the session token.

    `address` is the client address as the ASGI server saw it (a trusted proxy's
    X-Forwarded-For only); a header the client sets itself must not reset its count.
    """
    reserved = await throttle.reserve(login=login, address=address)
    stored_login = lookup_form(login)  # None: no account can have this login (İ, spaces, ...)
    user = None if stored_login is None else await db.fetchone(
        # Logins are stored folded; lower(login) only serves the unique index.
        "SELECT u.id, u.login, u.name, u.role, u.cohort, u.active, u.password_hash, s.slug AS site "
        "FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE lower(u.login) = $1",
        stored_login,
    )
    password_ok = await asyncio.to_thread(verify_password, user["password_hash"] if user else None, password)
    if user is None or not password_ok or not user["active"]:
        raise InvalidCredentials("Login or password is wrong.")
    await throttle.succeeded(login=login, reserved=reserved)
    token = await open_session(user_id=user["id"], session_hours=session_hours)
    user.pop("password_hash")
    user["sites"] = await scope.site_slugs(user["id"], user["role"])
    return user, token


async def logout(*, session_id: int) -> None:
    await db.fetch("UPDATE user_session SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", session_id)
    # Other workers forget it when the change commits (session_cache); this one at once.
    SESSIONS.forget_all()


async def end_all_sessions(user_id: int) -> int:
    """Signs the user out on every worker: each forgets its remembered sessions when this commits."""
    rows = await db.fetch(
        "UPDATE user_session SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id", user_id)
    SESSIONS.forget_all()
    return len(rows)


async def sweep_sessions(now: datetime | None = None) -> int:
    """Forget sessions that ended more than a month ago (they only matter while live)."""
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=30)
    rows = await db.fetch(
        "DELETE FROM user_session WHERE expires_at < $1 OR revoked_at < $1 RETURNING id", cutoff)
    return len(rows)


async def user_out(user_id: int) -> dict | None:
    row = await db.fetchone(
        "SELECT u.id, u.login, u.name, u.role, s.slug AS site, u.cohort, u.active "
        "FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE u.id = $1",
        user_id,
    )
    if row is not None:
        row["sites"] = await scope.site_slugs(user_id, row["role"])
    return row
