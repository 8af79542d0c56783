"""Random tokens handed to clients, and the hashes we store instead of them."""

import hashlib
import secrets


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 is enough: no brute force applies.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
