"""What counts as a word on a French screen, and the words French shares with English."""

from __future__ import annotations

import re

# Words of the English dictionary (static/i18n/en.js) that are French words too, so a French screen
# may show them. Reviewed by hand: a word joins this list only if a French reader would write it.
COGNATES = frozenset({
    "actions", "active", "administration", "code", "condition", "contact", "date", "dates", "file", "format",
    "images", "import", "information", "invitation", "maintenance", "maximum", "menu", "min", "minute", "minutes",
    "moment", "mon", "note", "notification", "notifications",
    "page", "part", "photo", "place", "position", "possible", "public", "service", "session", "sessions", "site",
    "sites", "table", "type", "zone", "description", "invitations", "long", "mail", "orange", "phrase", "quotas",
    "utilisation",
    # Maintenance by use (issue 19): "plan d'entretien", "heures machine".
    "plan", "plans", "machine",
    # Names and formats, the same in every language.
    "arduino", "csv", "fablab", "google", "https", "europe", "paris", "url",
    # Products a learner's phone or computer runs, named as their makers name them.
    "chrome", "edge", "excel", "firefox", "iphone", "libreoffice", "mac", "outlook", "safari", "thunderbird", "jpeg", "pass", "pdf", "png", "svg", "web", "webp",
    # The CSV import's column headers, which the file must carry as they are ("name, login, site, cohort").
    "cohort", "login", "name",
    # The language picker names each language in that language.
    "english",
})

# Asset tags (VLG-LAP-001, PAN-ROOM-003) are codes printed on the labels, not words.
TAG = re.compile(r"\b[A-Z]{2,5}(?:-[A-Z0-9]+)+\b")
# Addresses and logins are data to copy as they are (fablab.vlg@example.org, a calendar link, staff.vlg).
ADDRESS = re.compile(r"\S+@\S+|\b(?:https?|webcal)://\S+|\b[a-z0-9]+(?:[._][a-z0-9]+)+\b")


def words(text: str) -> set[str]:
    """The words of a text, lower case, three letters or more; {placeholders}, tags and addresses left out."""
    text = re.sub(r"\{\w+\}", " ", ADDRESS.sub(" ", TAG.sub(" ", text)))
    # A token with a digit in it is an identifier (the login "learner1"; "Portable 08" is two tokens).
    tokens = re.findall(r"[0-9A-Za-zÀ-ÖØ-öø-ÿŒœ]+", text)
    return {token.lower() for token in tokens if len(token) >= 3 and not any(c.isdigit() for c in token)}
