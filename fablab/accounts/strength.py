"""Is a new password good enough: zxcvbn's estimate of how many guesses it takes, by role; no I/O.

A length rule alone let `aaaaaaaa`, `12345678`, `password`, eight spaces, eight zero-width spaces,
eight NULs and the login plus one character through (issue 16). zxcvbn (Dropbox's estimator)
knows common passwords, repeats, sequences, dates, keyboard walks and the user's own data.
Each refusal names its `reason`, so the app says in French how to do better.
"""

from __future__ import annotations

import unicodedata

from zxcvbn import zxcvbn

from fablab import codes
from fablab.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn refuses longer inputs; a passphrase's first 72 characters are plenty to judge it.
ZXCVBN_MAX = 72
# zxcvbn scores 0-4: 2 is over a million guesses (fine behind our login throttle), 3 over a hundred
# million. Staff and admins open every learner's data: a stolen staff password costs far more.
MIN_SCORE = {"learner": 2, "staff": 3, "admin": 3}
MIN_LENGTH_BY_ROLE = {"learner": MIN_LENGTH, "staff": 10, "admin": 10}
# zxcvbn's lists are English; the French favourites and our own names, as guessable as "password".
LOCAL_WORDS = (
    "motdepasse", "azerty", "azertyuiop", "soleil", "bonjour", "doudou", "loulou", "chouchou", "marseille",
    "paris", "france", "coucou", "jetaime", "fablab", "simplon", "villeneuve", "garenne", "pierrefitte",
    "pantin", "apprenant", "formation", "ordinateur",
)
# Characters that do not show: spaces of every kind, zero-width and other format marks, controls.
INVISIBLE_CATEGORIES = ("Zs", "Zl", "Zp", "Cc", "Cf")


class WeakPassword(InvalidInput):
    code, title = codes.WEAK_PASSWORD, "Password too weak"


def visible_length(password: str) -> int:
    return sum(1 for char in password if unicodedata.category(char) not in INVISIBLE_CATEGORIES)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _built_on(password: str, word: str) -> bool:
    """The password is the word with at most three characters around it (`learner1x`, `Nadia.b!`)."""
    word = _folded(word)
    return len(word) >= 3 and word in _folded(password) and len(_folded(password)) - len(word) <= 3


def check_new_password(password: str, *, login: str, role: str = "learner", name: str = "") -> None:
    """Raises WeakPassword (400, `reason` = too_short, too_long, invisible, control_character,
    login_based or guessable) unless the password is good enough for the role."""
    min_length = MIN_LENGTH_BY_ROLE.get(role, MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"The password has at most {MAX_LENGTH} characters.", reason="too_long")
    if "\x00" in password or any(unicodedata.category(char) == "Cc" for char in password):
        raise WeakPassword("The password holds control characters (NUL, line breaks...).",
                           reason="control_character")
    if visible_length(password) == 0 and password:
        raise WeakPassword("The password has only invisible characters.", reason="invisible")
    if visible_length(password) < min_length:
        raise WeakPassword(f"The password needs at least {min_length} visible characters.",
                           reason="too_short", min_length=min_length)
    names = [part for part in (login, name, *name.split()) if part]
    if any(_built_on(password, part) for part in names):
        raise WeakPassword("The password must not be built on the login or the name.", reason="login_based")
    estimate = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[*names, *LOCAL_WORDS])
    if estimate["score"] < MIN_SCORE.get(role, MIN_SCORE["learner"]):
        feedback = estimate["feedback"]
        hints = " ".join(filter(None, [feedback.get("warning"), *feedback.get("suggestions", [])]))
        raise WeakPassword(f"The password is too easy to guess. {hints}".strip(), reason="guessable",
                           min_score=MIN_SCORE.get(role, 2), score=estimate["score"])
