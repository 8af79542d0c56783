"""Response bodies of the web app's own routes."""

from __future__ import annotations

import msgspec


class VocabularyOut(msgspec.Struct, frozen=True):
    """The domain's words (fablab/domain/vocabulary.py), in the order the app lists them; the app's
    dictionaries hold a label for each, keyed by the value."""

    kinds: list[str]
    kind_tag_prefixes: dict[str, str]  # the middle part of a generated tag: VLG-LAP-007
    resource_statuses: list[str]
    booking_statuses: list[str]
    active_booking_statuses: list[str]  # the ones that hold a unit
    cancel_reasons: list[str]
    weekdays: list[str]  # opening hours' keys, Monday first
    policy_units: list[str]
    conditions: list[str]
    movement_kinds: list[str]
    roles: list[str]
    waitlist_statuses: list[str]
    languages: list[str]
