"""Private feed tokens: created or rotated (the old one dies at once), stored only as hashes.

The token is HMAC(secret_key, "feed:{scope}:{user_id}:{row id}"), and only its SHA-256 is stored,
the same design as the learner's pass (fablab.accounts.passes). So the app can show the learner
their link again at any time, on any device, without the database keeping it (a leaked database
still opens no feed), and rotating is a new row: the old row is revoked and its id is never used
again, so no later token can equal a killed one. Changing the secret key makes every stored hash
stale: those links keep working but cannot be shown, and the app offers a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from fablab.platform import db
from fablab.platform.db import DB
from fablab.domain.tokens import hash_token

# pg_advisory_xact_lock(class, user): two rotations of one user's feed run one after the other,
# so the second revokes the first's token instead of tripping the one-live-token index.
FEED_TOKEN_LOCK_CLASS = 0x0FEED


def feed_token(secret_key: str, *, scope: str, user_id: int, token_id: int) -> str:
    digest = hmac.new(secret_key.encode(), f"feed:{scope}:{user_id}:{token_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


async def rotate_feed_token(*, secret_key: str, user_id: int, scope: str, site_id: int | None) -> str:
    """A new token for (user, scope); any live one is revoked in the same transaction."""
    async with DB.transaction():
        await db.fetch("SELECT pg_advisory_xact_lock($1, $2)", FEED_TOKEN_LOCK_CLASS, user_id)
        await db.fetch(
            "UPDATE feed_token SET revoked_at = now() WHERE user_id = $1 AND scope = $2 AND revoked_at IS NULL",
            user_id, scope,
        )
        # The row's id is part of the token, so it is drawn before the row is written.
        token_id = await db.fetchval("SELECT nextval(pg_get_serial_sequence('feed_token', 'id'))")
        token = feed_token(secret_key, scope=scope, user_id=user_id, token_id=token_id)
        await db.fetch(
            "INSERT INTO feed_token (id, token_hash, user_id, scope, site_id) VALUES ($1, $2, $3, $4, $5)",
            token_id, hash_token(token), user_id, scope, site_id,
        )
    return token


def live_feed_token(secret_key: str, row: dict) -> str | None:
    """The token of a live feed_token row (id, user_id, scope, token_hash), to show it again; None
    when it was not derived with this secret (a random token from before, or an older secret key):
    that link keeps working, and the app offers a new one that it can show."""
    token = feed_token(secret_key, scope=row["scope"], user_id=row["user_id"], token_id=row["id"])
    return token if hmac.compare_digest(row["token_hash"], hash_token(token)) else None
