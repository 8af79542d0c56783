"""The domain's words are defined once (fablab/domain/vocabulary.py): the database's CHECKs say the same,
the app gets them from GET /api/vocabulary, and each one it shows has a French and an English label."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fablab.domain import vocabulary
from fablab.platform import db
from fablab.sites.defaults import DEFAULT_POLICIES
from tests.support.wording import app_dictionaries
from tests.support.paths import ROOT

pytestmark = pytest.mark.pg_engine


# (table, column) -> the words its CHECK allows.
CHECKED_COLUMNS = {
    ("resource", "kind"): vocabulary.KINDS,
    ("policy", "kind"): vocabulary.KINDS,
    ("booking", "kind"): vocabulary.KINDS,
    ("resource", "status"): vocabulary.RESOURCE_STATUSES,
    ("booking", "status"): vocabulary.BOOKING_STATUSES,
    ("booking", "cancel_reason"): vocabulary.CANCEL_REASONS,
    ("policy", "unit"): vocabulary.POLICY_UNITS,
    ("movement", "kind"): vocabulary.MOVEMENT_KINDS,
    ("movement", "condition"): vocabulary.CONDITIONS,
    ("app_user", "role"): vocabulary.ROLES,
    ("waitlist_entry", "status"): vocabulary.WAITLIST_STATUSES,
    ("reminder_log", "kind"): vocabulary.REMINDER_KINDS,
    ("push_subscription", "lang"): vocabulary.LANGUAGES,
    ("maintenance_plan", "kind"): vocabulary.KINDS,
    ("consumable", "unit"): vocabulary.CONSUMABLE_UNITS,
    ("consumable_movement", "kind"): vocabulary.CONSUMABLE_MOVEMENT_KINDS,
    ("print_log", "outcome"): vocabulary.PRINT_OUTCOMES,
    ("partner", "kind"): vocabulary.PARTNER_KINDS,
    ("visitor_pass", "age_band"): vocabulary.AGE_BAND_NAMES,  # visitors (issue 30)
    ("participant", "status"): vocabulary.PARTICIPANT_STATUSES,
    ("workshop", "audience"): vocabulary.WORKSHOP_AUDIENCES,
    ("workshop", "status"): vocabulary.WORKSHOP_STATUSES,
    ("registration", "status"): vocabulary.REGISTRATION_STATUSES,
    ("registration", "seat"): vocabulary.SEAT_POOLS,
    ("registration", "notice"): vocabulary.REGISTRATION_NOTICES,
    ("training", "validity"): vocabulary.TRAINING_VALIDITIES,
    ("consent", "method"): vocabulary.CONSENT_METHODS,
}
# Bookkeeping words no screen shows and no other module repeats: they stay in their CHECK alone.
INTERNAL = {("feed_token", "scope"), ("reminder_log", "status"), ("push_delivery", "status")}

CHECKS_SQL = """
SELECT conrelid::regclass::text AS table_name, pg_get_constraintdef(oid) AS definition
FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace
"""
# `(kind = ANY (ARRAY['laptop'::text, 'printer_3d'::text, 'room'::text]))`, as PostgreSQL prints an IN list.
IN_LIST = re.compile(r"\((\w+) = ANY \(ARRAY\[([^\]]*)\]\)\)")

# Which dictionary section labels each word the app shows, keyed by the word itself.
LABELS = {
    "kinds": "kinds.{}",
    "resource_statuses": "status.{}",
    "booking_statuses": "booking_status.{}",
    "cancel_reasons": "withdrawn.{}",
    "weekdays": "weekdays.{}",
    "policy_units": "admin2.policy.unit_{}",
    "conditions": "condition.{}",
    "movement_kinds": "desk.h_{}",
    "waitlist_statuses": "waitlist_status.{}",
}
# Served but never shown as words: subsets of a labelled list, tag parts, roles (the app shows
# screens by role, never the role's name) and the languages (each named in itself by i18n.js).
NOT_LABELLED = {"active_booking_statuses", "kind_tag_prefixes", "roles", "languages"}


def in_lists(definition: str) -> dict[str, tuple[str, ...]]:
    return {column: tuple(re.findall(r"'([^']*)'", values)) for column, values in IN_LIST.findall(definition)}


async def database_word_lists() -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for row in await db.fetch(CHECKS_SQL):
        for column, words in in_lists(row["definition"]).items():
            # A column may appear in several CHECKs (a rule on some of its words): their union.
            found.setdefault((row["table_name"], column), set()).update(words)
    return found


def test_a_check_is_read_as_its_words():
    definition = ("CHECK (((cancel_reason IS NULL) OR (cancel_reason = ANY (ARRAY['resource_retired'::text, "
                  "'closure'::text]))))")
    assert in_lists(definition) == {"cancel_reason": ("resource_retired", "closure")}


async def test_the_database_checks_allow_the_vocabulary_and_nothing_else(pool):
    in_database = await database_word_lists()
    assert {column: sorted(words) for column, words in in_database.items()
            if column in CHECKED_COLUMNS and words != set(CHECKED_COLUMNS[column])} == {}
    assert sorted(set(CHECKED_COLUMNS) - set(in_database)) == [], "a column lost its CHECK"
    assert sorted(set(in_database) - set(CHECKED_COLUMNS) - INTERNAL) == [], (
        "a new CHECK lists words: define them in fablab/domain/vocabulary.py and add the column here")


def test_every_kind_has_a_tag_prefix_and_default_rules():
    assert list(vocabulary.KIND_TAG_PREFIX) == list(vocabulary.KINDS)
    assert set(DEFAULT_POLICIES) == set(vocabulary.KINDS)
    assert set(vocabulary.ACTIVE_BOOKING_STATUSES) <= set(vocabulary.BOOKING_STATUSES)
    assert set(vocabulary.FINISHED_BOOKING_STATUSES) <= set(vocabulary.BOOKING_STATUSES)


def test_no_module_of_fablab_spells_out_the_list_of_kinds():
    """The list of kinds is written once; a second copy would drift (issue 18: it was in 6 places)."""
    spelled = re.compile(r"""["']laptop["'],\s*["']printer_3d["'],\s*["']room["']""")
    copies = [str(path.relative_to(ROOT)) for path in (ROOT / "fablab").rglob("*.py")
              if path.name != "vocabulary.py" and spelled.search(path.read_text())]
    assert copies == []


def test_no_screen_spells_out_the_list_of_kinds():
    spelled = re.compile(r"""\[\s*["']laptop["'],\s*["']printer_3d["'],\s*["']room["']\s*\]""")
    copies = [str(path.relative_to(ROOT)) for path in (ROOT / "static").rglob("*.js") if spelled.search(path.read_text())]
    assert copies == [], "screens get the kinds from /js/vocabulary.js"


async def test_the_app_gets_the_vocabulary_from_one_public_cacheable_route(anon):
    response = await anon.get("/api/vocabulary")
    assert response.status_code == 200
    assert "public" in response.headers["cache-control"] and "max-age=3600" in response.headers["cache-control"]
    body = response.json()
    assert body["kinds"] == list(vocabulary.KINDS)
    assert body["kind_tag_prefixes"] == vocabulary.KIND_TAG_PREFIX
    assert body["weekdays"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert body["booking_statuses"] == list(vocabulary.BOOKING_STATUSES)
    assert body["conditions"] == list(vocabulary.CONDITIONS)
    assert set(body) == set(LABELS) | NOT_LABELLED


def test_every_word_the_app_shows_has_a_french_and_an_english_label():
    dictionaries = app_dictionaries()
    if dictionaries is None:
        pytest.skip("node is not installed")
    served = {"kinds": vocabulary.KINDS, "resource_statuses": vocabulary.RESOURCE_STATUSES,
              "booking_statuses": vocabulary.BOOKING_STATUSES, "cancel_reasons": vocabulary.CANCEL_REASONS,
              "weekdays": vocabulary.WEEKDAYS, "policy_units": vocabulary.POLICY_UNITS,
              "conditions": vocabulary.CONDITIONS, "movement_kinds": vocabulary.MOVEMENT_KINDS,
              "waitlist_statuses": vocabulary.WAITLIST_STATUSES}
    assert set(served) == set(LABELS)
    missing = [f"{lang}: {LABELS[field].format(word)}" for lang, tree in dictionaries.items()
               for field, words in served.items() for word in words if LABELS[field].format(word) not in tree]
    assert missing == []
