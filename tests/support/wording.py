"""What counts as a word on a French screen, the words French shares with English, and the app's
two dictionaries as Python reads them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Words of the English dictionary (static/i18n/en.js) that are French words too, so a French screen
# may show them. Reviewed by hand: a word joins this list only if a French reader would write it.
COGNATES = frozenset({
    "actions", "active", "administration", "code", "condition", "contact", "date", "dates", "file", "format",
    "images", "import", "information", "invitation", "maintenance", "maximum", "menu", "min", "minute", "minutes",
    "moment", "mon", "note", "notification", "notifications",
    "page", "part", "photo", "place", "position", "possible", "public", "service", "session", "sessions", "site",
    "sites", "table", "type", "zone", "description", "invitations", "long", "mail", "orange", "phrase", "quotas",
    "utilisation",
    # Consumables (issue 19): French words of the stock room.
    "budget", "change", "filament", "millilitres", "stock",
    # Maintenance by use (issue 19): "plan d'entretien", "heures machine".
    "plan", "plans", "machine",
    # Drawn signatures (issue 30, 31).
    "signature", "signatures",
    # The loan agreement's versions (issue 31): "version 2 de la charte".
    "version", "versions",
    # The funders' impact report (issue 29): "rapport d'impact".
    "impact",
    # Names and formats, the same in every language.
    "arduino", "csv", "fablab", "google", "https", "europe", "paris", "url",
    # Products a learner's phone or computer runs, named as their makers name them.
    "chrome", "edge", "excel", "firefox", "iphone", "libreoffice", "mac", "outlook", "safari", "thunderbird", "jpeg", "pass", "pdf", "png", "svg", "web", "webp",
    # The CSV import's column headers, which the file must carry as they are ("name, login, site, cohort").
    "cohort", "login", "name",
    # The language picker names each language in that language.
    "english",
    # An image's size ("trop de pixels") and a person's notes ("ses notes"): French words too (issue 26, 25).
    "pixels", "notes",
    # Workshops (issue 29): "âge minimum", a "participant", their "situation", the "Mission Locale" (a name).
    "minimum", "situation", "mission", "locale", "participant", "participants",
    # Minors and consents (issue 30): "participation aux activités", "droit à l'image".
    "participation", "image",
    # Late returns (issue 31): "la suspension" of a learner's bookings; "Grace" names a demo room
    # ("Salle Grace Hopper").
    "suspension", "grace",
})

# Asset tags (VLG-LAP-001, PAN-ROOM-003) are codes printed on the labels, not words.
TAG = re.compile(r"\b[A-Z]{2,5}(?:-[A-Z0-9]+)+\b")
# Addresses and logins are data to copy as they are (fablab.vlg@example.org, a calendar link, staff.vlg).
ADDRESS = re.compile(r"\S+@\S+|\b(?:https?|webcal)://\S+|\b[a-z0-9]+(?:[._][a-z0-9]+)+\b")


def words(text: str) -> set[str]:
    """The words of a text, lower case, three letters or more; {placeholders}, tags and addresses left out,
    and the parameter of a plural or elision form (static/js/grammar.js: "{seen|vu|vus}", "{de name}")."""
    text = re.sub(r"\{\w+\}|\{\w+\||\{\w+ \w+\}", " ", ADDRESS.sub(" ", TAG.sub(" ", text)))
    # A token with a digit in it is an identifier (the login "learner1"; "Portable 08" is two tokens).
    tokens = re.findall(r"[0-9A-Za-zÀ-ÖØ-öø-ÿŒœ]+", text)
    return {token.lower() for token in tokens if len(token) >= 3 and not any(c.isdigit() for c in token)}


def flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def app_dictionaries() -> dict[str, dict[str, str]] | None:
    """static/i18n/fr.js and en.js as {"fr": {"errors.not_found": "Introuvable.", ...}, "en": ...},
    read by node (they are ES modules); None without node."""
    node = shutil.which("node")
    if node is None:
        return None
    script = ("const [fr, en] = await Promise.all([import('./static/i18n/fr.js'), import('./static/i18n/en.js')]);"
              "console.log(JSON.stringify({fr: fr.default, en: en.default}));")
    result = subprocess.run([node, "--input-type=module", "-e", script], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    return {lang: flatten(tree) for lang, tree in json.loads(result.stdout).items()}
