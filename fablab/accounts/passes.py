"""Learner passes: the QR a learner shows at the desk so staff can identify them.

The displayed token is HMAC(secret_key, "pass:{user_id}:{pass_version}"), and only its SHA-256
is stored (app_user.pass_token_hash). So the server can show the learner the same pass again on
any device without keeping it, rotating is bumping pass_version (the old token stops matching at
once), and a database leak gives no usable pass. If the secret key changes, the next
GET /api/me/pass stores the hash of the new token and the old pass stops working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from fablab.platform.db import DB
from fablab.tables import User
from fablab.domain.tokens import hash_token

# The pass QR opens the web app's pass page when scanned with a plain camera app.
PASS_PATH = "/#/pass/"
MAX_TOKEN_LENGTH = 400
# The short code a person can type (issue 28): the account's number and 6 characters of Crockford's
# base 32 (no I, L, O, U: nothing to misread), read back with the usual confusions forgiven.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TYPED_CODE = re.compile(r"^(\d{1,9})[-\s]*([0-9A-Z]{6})$")
MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def pass_token(secret_key: str, user_id: int, version: int) -> str:
    digest = hmac.new(secret_key.encode(), f"pass:{user_id}:{version}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pass_url(base_url: str, token: str) -> str:
    return f"{base_url}{PASS_PATH}{token}"


def token_from_scan(scanned: str) -> str:
    """The token from what a scanner read: the bare token or the pass URL."""
    scanned = scanned.strip()
    if PASS_PATH in scanned:
        scanned = scanned.rsplit(PASS_PATH, 1)[1]
    return scanned.split("?", 1)[0].strip("/")


def short_code(user_id: int, token_hash: str) -> str:
    """"42-K7P4QX", from the stored hash of the current pass: a new pass makes a new code. It names a
    learner to staff, who may already find them by name: 30 bits keep it short, not secret."""
    number = int.from_bytes(hashlib.sha256(f"desk-code:{token_hash}".encode()).digest()[:4], "big") >> 2
    chars = "".join(CODE_ALPHABET[(number >> shift) & 31] for shift in range(25, -1, -5))
    return f"{user_id}-{chars}"


def code_for(user_id: int, token: str) -> str:
    return short_code(user_id, hash_token(token))


def typed_code(text: str) -> tuple[int, str] | None:
    """(user id, code as written on the pass) from what staff typed ("42 k7p4qx"), else None."""
    match = TYPED_CODE.match(text.strip().upper().translate(MISREAD))
    return None if match is None else (int(match.group(1)), f"{int(match.group(1))}-{match.group(2)}")


async def _user_id_for_code(user_id: int, code: str) -> int | None:
    row = await User.select(User.pass_token_hash).where(User.id == user_id, User.active.eq(True)).first()
    if row is None or not row["pass_token_hash"]:
        return None
    return user_id if hmac.compare_digest(short_code(user_id, row["pass_token_hash"]), code) else None


async def current_pass(*, secret_key: str, user_id: int) -> str:
    """The user's pass token, storing its hash when it is new (first call, or a new secret key)."""
    row = await User.select(User.pass_version, User.pass_token_hash).where(User.id == user_id).first()
    token = pass_token(secret_key, user_id, row["pass_version"])
    if row["pass_token_hash"] != hash_token(token):
        await User.update({User.pass_token_hash: hash_token(token)}).where(User.id == user_id)
    return token


async def rotate_pass(*, secret_key: str, user_id: int) -> str:
    """A new pass; the old one stops identifying the learner at once."""
    async with DB.transaction():
        rows = await User.update({User.pass_version: User.pass_version + 1}).where(
            User.id == user_id).returning(User.pass_version)
        token = pass_token(secret_key, user_id, rows[0]["pass_version"])
        await User.update({User.pass_token_hash: hash_token(token)}).where(User.id == user_id)
    return token


async def user_id_for_pass(token: str) -> int | None:
    """The active user whose current pass this is (token, scanned pass URL or its typed code), else None."""
    typed = typed_code(token or "")
    if typed is not None:
        return await _user_id_for_code(*typed)
    token = token_from_scan(token or "")
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    # Looked up by hash: timing reveals nothing about a stored token.
    row = await User.select(User.id).where(User.pass_token_hash == hash_token(token), User.active.eq(True)).first()
    return None if row is None else row["id"]
