"""Is a new password good enough: zxcvbn's estimate of how many guesses it takes, by role; no I/O.

A length rule alone let `aaaaaaaa`, `12345678`, `password`, eight spaces, eight zero-width spaces,
eight NULs and the login plus one character through (issue 16). zxcvbn (Dropbox's estimator)
knows common passwords, repeats, sequences, dates, keyboard walks and the user's own data.
Each refusal names its `reason`, so the app says in French how to do better.

Issue 26: zxcvbn's lists are English, and `Wxcvbn2026`, `ecoleduweb1`, `azer1234`, `fablab-demo`
and `lena2027` (at Léna's invite) passed. zxcvbn now also knows French: the 50,000 most frequent
French words and first names of `wordfreq` (its data ships in the package; each also without its
accents, as people type them), the AZERTY keyboard's rows and walks, and our own words (the
sites' names, the demo password); the login and the person's name count with and without accents.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from zxcvbn import matching as zxcvbn_matching
from zxcvbn import zxcvbn

from fablab.domain import codes
from fablab.domain.errors import InvalidInput

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
    # The schools' own name, as people write it in a password ("ecoleduweb1" passed for staff).
    "ecoleduweb", "lecoleduweb", "ecole-du-web", "ecoledudigital",
)
# The README's demo password: shown to everyone, so never a real one (the seed sets it directly).
DEMO_WORDS = ("fablab-demo", "fablabdemo", "demo")
FRENCH_WORDS = 50_000
# AZERTY's rows, their walks zxcvbn's QWERTY graph does not see; each row's substrings are matched.
AZERTY_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn", "&é\"'(-è_çà", "aqwzsxedcrfvtgbyhnujikolpm")
# Characters that do not show: spaces of every kind, zero-width and other format marks, controls.
INVISIBLE_CATEGORIES = ("Zs", "Zl", "Zp", "Cc", "Cf")


class WeakPassword(InvalidInput):
    code, title = codes.WEAK_PASSWORD, "Password too weak"


def visible_length(password: str) -> int:
    return sum(1 for char in password if unicodedata.category(char) not in INVISIBLE_CATEGORIES)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def plain(text: str) -> str:
    """Without accents, as many type on a phone: "Léna" -> "lena"."""
    decomposed = unicodedata.normalize("NFD", _folded(text))
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


def _walks() -> list[str]:
    # Shorter walks first: "azer" is guessed before "azertyui".
    walks = {row[start:start + size] for row in AZERTY_ROWS for size in range(3, len(row) + 1)
             for start in range(len(row) - size + 1)}
    return sorted(walks, key=lambda walk: (len(walk), walk))


@cache
def load_dictionaries() -> None:
    """Teach zxcvbn French and AZERTY, once per process (wordfreq's list takes about a second)."""
    from wordfreq import top_n_list

    french: dict[str, None] = {}
    for word in top_n_list("fr", FRENCH_WORDS):
        french.setdefault(word)
        french.setdefault(plain(word))
    zxcvbn_matching.add_frequency_lists({
        "fr_wordfreq": list(french), "azerty": _walks(), "fablab": [*DEMO_WORDS, *LOCAL_WORDS]})


def _built_on(password: str, word: str) -> bool:
    """The password is the word with at most three characters around it (`learner1x`, `Nadia.b!`)."""
    word = plain(word)
    return len(word) >= 3 and word in plain(password) and len(plain(password)) - len(word) <= 3


def check_new_password(password: str, *, login: str, role: str = "learner", name: str = "",
                       words: tuple[str, ...] = ()) -> None:
    """Raises WeakPassword (400, `reason` = too_short, too_long, invisible, control_character,
    login_based or guessable) unless the password is good enough for the role.

    words: the site's own words beside the built-in ones (the sites' names, from the database)."""
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
    names = [part for part in (login, name, *name.replace("-", " ").replace(".", " ").split()) if part]
    if any(_built_on(password, part) for part in names):
        raise WeakPassword("Le mot de passe ne doit pas reprendre l'identifiant ou le nom. / "
                           "The password must not be built on the login or the name.", reason="login_based")
    load_dictionaries()
    own = [*names, *words, *(word for part in words for word in part.replace("-", " ").split())]
    estimate = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[*own, *(plain(word) for word in own), *DEMO_WORDS])
    if estimate["score"] < MIN_SCORE.get(role, MIN_SCORE["learner"]):
        raise WeakPassword(
            "Mot de passe trop facile à deviner : une petite phrase de trois ou quatre mots sans rapport "
            "entre eux convient. / The password is too easy to guess: a phrase of three or four unrelated "
            "words will do.", reason="guessable", min_score=MIN_SCORE.get(role, 2), score=estimate["score"])
