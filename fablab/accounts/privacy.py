"""The retention period of personal data (GDPR), an admin's setting.

What each domain forgets when it has passed, and the export and erasure of one person, are
fablab/people/lifecycle.py's, read from every domain's declarations (fablab/*/person.py)."""

from __future__ import annotations

import json

from fablab.platform.db import NOW
from fablab.tables import AppSetting

RETENTION_KEY = "retention_days"
# Two years: long enough to answer "who had this laptop last spring?", then the person goes.
DEFAULT_RETENTION_DAYS = 730


# --- visitors (issue 30) ----------------------------------------------------------------------
# Visitors are forgotten days after their pass ends, not after the retention period: they came once.
VISITOR_DAYS_KEY = "visitor_anonymise_days"
DEFAULT_VISITOR_DAYS = 30
# The delay as SQL, for the statement that forgets visitors (fablab/visitors/queries.py).
VISITOR_DAYS_SQL = (f"coalesce((SELECT (value #>> '{{}}')::int FROM app_setting WHERE key = '{VISITOR_DAYS_KEY}'), "
                    f"{DEFAULT_VISITOR_DAYS})")


async def visitor_days() -> tuple[int, bool]:
    """(days after a visitor's pass ends before they are forgotten, is_default)."""
    return await _days(VISITOR_DAYS_KEY, DEFAULT_VISITOR_DAYS)


async def set_visitor_days(days: int) -> None:
    await _set(VISITOR_DAYS_KEY, days)


async def retention() -> tuple[int, bool]:
    """(days, is_default)."""
    return await _days(RETENTION_KEY, DEFAULT_RETENTION_DAYS)


async def set_retention(days: int) -> None:
    await _set(RETENTION_KEY, days)


async def _days(key: str, default: int) -> tuple[int, bool]:
    """A number of days kept in app_setting: (days, is_default)."""
    row = await AppSetting.select(AppSetting.value).where(AppSetting.key == key).first()
    value = None if row is None else row["value"]
    if value is None:
        return default, True
    # asyncpg hands jsonb over as text unless a codec is set; accept both.
    return int(json.loads(value) if isinstance(value, str) else value), False


async def _set(key: str, days: int) -> None:
    await AppSetting.insert(AppSetting(key=key, value=json.dumps(days), updated_at=NOW)).on_conflict(
        target=AppSetting.key, action="DO UPDATE", values=[AppSetting.value, AppSetting.updated_at])


# --- Minors and consents (issue 30) ---------------------------------------------------------------
MINORS_RETENTION_KEY = "minors_retention_days"
# A school year and the summer after it: a guardian's consent and signature are kept while they may be
# asked for, then go; shorter than the adults' two years (a child's data is kept the least).
DEFAULT_MINORS_RETENTION_DAYS = 365


async def minors_retention() -> tuple[int, bool]:
    """(days, is_default): how long a minor's guardians, consents and signatures outlive their end."""
    return await _days(MINORS_RETENTION_KEY, DEFAULT_MINORS_RETENTION_DAYS)


async def set_minors_retention(days: int) -> None:
    await _set(MINORS_RETENTION_KEY, days)
