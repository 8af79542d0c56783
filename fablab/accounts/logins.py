"""One normalisation of logins, used when an account is created or imported, at sign-in and by
the login throttle; no I/O.

Python's `str.lower()` and PostgreSQL's `lower()` disagree beyond ASCII: with `İ` (U+0130) each
spelling of a login was a fresh throttle bucket, and `admİn` signed in as `admin` (issue 16). A
login is now folded once (NFKC, then casefold, trimmed), must then be in one plain alphabet, and
is stored folded: the database compares equal strings, nothing else.
"""

from __future__ import annotations

import re
import unicodedata

from fablab.domain import codes
from fablab.domain.errors import InvalidInput

# Lower-case letters, digits, dot, dash, underscore: easy to type on a phone keyboard. The same
# pattern is a CHECK constraint on app_user.login (migration 0010).
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MAX_INPUT = 200


def fold(text: str) -> str:
    """The one folding: compatibility forms joined (ﬁ → fi, full-width → ASCII), case folded."""
    text = unicodedata.normalize("NFKC", text[:MAX_INPUT].strip())
    return unicodedata.normalize("NFKC", text.casefold()).strip()


def is_valid(login: str) -> bool:
    return LOGIN_PATTERN.fullmatch(login) is not None


def normalise_login(text: str) -> str:
    """The login to store, or a 400 `invalid_login`."""
    login = fold(text)
    if not is_valid(login):
        raise InvalidInput(
            "A login has 2 to 64 characters: letters a-z, digits, '.', '-' or '_', starting with a letter or digit.",
            code=codes.INVALID_LOGIN,
        )
    return login


def lookup_form(text: str) -> str | None:
    """The stored form a typed login can match, or None when no account can have it."""
    login = fold(text)
    return login if is_valid(login) else None
