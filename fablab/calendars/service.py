"""Private feed tokens: created or rotated (the old one dies at once), stored only as hashes."""

from __future__ import annotations

from fablab import db
from fablab.db import DB
from fablab.tokens import hash_token, new_token

# pg_advisory_xact_lock(class, user): two rotations of one user's feed run one after the other,
# so the second revokes the first's token instead of tripping the one-live-token index.
FEED_TOKEN_LOCK_CLASS = 0x0FEED


async def rotate_feed_token(*, user_id: int, scope: str, site_id: int | None) -> str:
    """A new token for (user, scope); any live one is revoked in the same transaction."""
    token = new_token()
    async with DB.transaction():
        await db.fetch("SELECT pg_advisory_xact_lock($1, $2)", FEED_TOKEN_LOCK_CLASS, user_id)
        await db.fetch(
            "UPDATE feed_token SET revoked_at = now() WHERE user_id = $1 AND scope = $2 AND revoked_at IS NULL",
            user_id, scope,
        )
        await db.fetch(
            "INSERT INTO feed_token (token_hash, user_id, scope, site_id) VALUES ($1, $2, $3, $4)",
            hash_token(token), user_id, scope, site_id,
        )
    return token
