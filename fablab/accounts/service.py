"""Sign-in and sessions: writes and rules of the accounts domain."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fablab import db
from fablab.accounts.passwords import verify_password
from fablab.errors import DomainError
from fablab.tokens import hash_token, new_token


class InvalidCredentials(DomainError):
    status, code, title = 401, "invalid_credentials", "Wrong login or password"


async def login(*, login: str, password: str, session_hours: int) -> tuple[dict, str]:
    """Check the password and open a session; returns the user row and the session token."""
    user = await db.fetchone(
        "SELECT u.id, u.login, u.name, u.role, u.cohort, u.active, u.password_hash, s.slug AS site "
        "FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE lower(u.login) = lower($1)",
        login.strip(),
    )
    password_ok = verify_password(user["password_hash"] if user else None, password)
    if user is None or not password_ok or not user["active"]:
        raise InvalidCredentials("Login or password is wrong.")
    token = new_token()
    now = datetime.now(timezone.utc)
    await db.fetch(
        "INSERT INTO user_session (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        hash_token(token), user["id"], now, now + timedelta(hours=session_hours),
    )
    user.pop("password_hash")
    return user, token


async def logout(*, session_id: int) -> None:
    await db.fetch("UPDATE user_session SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", session_id)


async def user_out(user_id: int) -> dict | None:
    return await db.fetchone(
        "SELECT u.id, u.login, u.name, u.role, s.slug AS site, u.cohort, u.active "
        "FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE u.id = $1",
        user_id,
    )
