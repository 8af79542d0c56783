"""What a consent is and what a minor lacks on a day; no I/O."""

from __future__ import annotations

from datetime import date

from fablab.domain import codes
from fablab.domain.errors import InvalidInput
from fablab.domain.vocabulary import CONSENT_COVERS

# The school year ends on 31 August: a consent given in June runs to that summer's end, one given
# in September to the next.
SCHOOL_YEAR_END = (8, 31)
# A consent beyond two school years is a form nobody would remember signing.
MAX_CONSENT_DAYS = 2 * 366


def end_of_school_year(day: date) -> date:
    month, last = SCHOOL_YEAR_END
    year = day.year if (day.month, day.day) <= (month, last) else day.year + 1
    return date(year, month, last)


def checked_period(starts_on: date, expires_on: date | None) -> tuple[date, date]:
    """(start, expiry): the expiry the end of the school year when not given; refused backwards or too long."""
    expires_on = expires_on or end_of_school_year(starts_on)
    if expires_on < starts_on:
        raise InvalidInput("The consent expires before it starts.", code=codes.INVALID_CONSENT)
    if (expires_on - starts_on).days > MAX_CONSENT_DAYS:
        raise InvalidInput("A consent lasts two school years at most.", code=codes.INVALID_CONSENT)
    return starts_on, expires_on


def checked_covers(covers: list[str]) -> dict[str, bool]:
    """The consent's three flags from the list of what it covers (at least one)."""
    unknown = sorted(set(covers) - set(CONSENT_COVERS))
    if unknown or not covers:
        raise InvalidInput(f"A consent covers some of {', '.join(CONSENT_COVERS)}.", code=codes.INVALID_CONSENT,
                           unknown=unknown)
    return {cover: cover in covers for cover in CONSENT_COVERS}


def covers_of(row: dict) -> list[str]:
    return [cover for cover in CONSENT_COVERS if row[cover]]


def missing(covered: dict, needed: tuple[str, ...]) -> list[str]:
    """What the person's consents on the day lack of `needed`."""
    return [cover for cover in needed if not covered[cover]]
