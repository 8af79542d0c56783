"""The visitors' pure rules: how long a pass lasts, whether it covers a workshop's day (no I/O)."""

from __future__ import annotations

from datetime import date, timedelta

from fablab.domain import codes
from fablab.domain.errors import InvalidInput, PolicyViolation

# A visitor comes for a day, or a few days in a row (an open week); longer is a participant's or a learner's.
MAX_PASS_DAYS = 7
# How far ahead the desk may make a pass (a family coming back for next week's open day).
MAX_DAYS_AHEAD = 60
# The name kept once a visitor is forgotten (app_user.name may not be empty).
FORGOTTEN_NAME = "Visiteur"


def pass_days(today: date, valid_from: date | None, valid_until: date | None) -> tuple[date, date]:
    """(first day, last day): today alone by default; never in the past, a week at most."""
    first = valid_from or today
    last = valid_until or first
    if first < today:
        raise InvalidInput("A pass starts today or later.", code=codes.VISITOR_PASS_IN_PAST, field="valid_from")
    if first > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(f"A pass starts within {MAX_DAYS_AHEAD} days.", code=codes.VISITOR_PASS_IN_PAST,
                           field="valid_from")
    if last < first:
        raise InvalidInput("The last day comes after the first.", code=codes.ENDS_BEFORE_START, field="valid_until")
    if (last - first).days >= MAX_PASS_DAYS:
        raise InvalidInput(f"A visitor's pass lasts {MAX_PASS_DAYS} days at most.",
                           code=codes.VISITOR_PASS_TOO_LONG, field="valid_until", max_days=MAX_PASS_DAYS)
    return first, last


def check_covers(*, day: date, valid_from: date, valid_until: date, forgotten: bool, open_to_visitors: bool) -> None:
    """A visitor may take a seat of a workshop open to visitors on a day their pass covers."""
    if not open_to_visitors:
        raise PolicyViolation("This workshop is not open to visitors.", code=codes.WORKSHOP_NOT_OPEN_TO_VISITORS)
    if forgotten or day > valid_until:
        raise PolicyViolation("This visitor's pass has ended.", code=codes.VISITOR_PASS_EXPIRED,
                              valid_until=valid_until.isoformat())
    if day < valid_from:
        raise PolicyViolation("This visitor's pass starts later.", code=codes.VISITOR_PASS_NOT_YET_VALID,
                              valid_from=valid_from.isoformat())
