"""Device cookies (the OWASP / Openwall scheme): a browser that signed in to an account before
is judged apart from unknown clients at sign-in; no I/O.

After a right password the browser gets a cookie `NONCE.MAC`, MAC = HMAC(secret key,
"device:{login}:{NONCE}"). The login is not in the cookie (a shared desk computer does not
show who used it); at the next sign-in the MAC is checked against the typed login, and a
cookie that proves itself makes the attempt count on its own bucket (throttle.device_key)
instead of the account's. So an attacker's wrong passwords from elsewhere delay only unknown
clients: the owner, from the phone they used before, is never locked out by them. A stolen
cookie gains nothing beyond the same delays, on a bucket of its own.

One browser may know a few accounts (a family computer): the cookie holds up to MAX_ENTRIES,
newest first, separated by "~".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

DEVICE_COOKIE = "fablab_device"
# Sent only to the sign-in route: nothing else needs it.
DEVICE_COOKIE_PATH = "/api/auth/login"
MAX_AGE = 365 * 24 * 3600
MAX_ENTRIES = 4
_ENTRY = re.compile(r"^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$")


def _mac(secret_key: str, login: str, nonce: str) -> str:
    digest = hmac.new(secret_key.encode(), f"device:{login}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _entries(cookie: str | None) -> list[str]:
    # Anything malformed is ignored, never an error: the attempt is then judged as an unknown client's.
    return [entry for entry in (cookie or "")[:1000].split("~") if _ENTRY.fullmatch(entry)][:MAX_ENTRIES]


def _proves(secret_key: str, entry: str, login: str) -> bool:
    nonce, mac = entry.split(".")
    return hmac.compare_digest(mac, _mac(secret_key, login, nonce))


def known_device(secret_key: str, cookie: str | None, login: str | None) -> str | None:
    """The nonce of the cookie's entry that this browser earned for `login` (folded), or None."""
    if login is None:
        return None
    for entry in _entries(cookie):
        if _proves(secret_key, entry, login):
            return entry.split(".")[0]
    return None


def remember(secret_key: str, cookie: str | None, login: str) -> str:
    """The cookie's value after a right password for `login`: a fresh entry first (the old one for
    this login dropped, so its failures are left behind), the browser's other accounts after it."""
    nonce = secrets.token_urlsafe(16)
    others = [entry for entry in _entries(cookie) if not _proves(secret_key, entry, login)]
    return "~".join([f"{nonce}.{_mac(secret_key, login, nonce)}", *others][:MAX_ENTRIES])
