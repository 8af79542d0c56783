"""The workshops' pure rules: who is old enough for a workshop, a participant's name, hours (no I/O)."""

from __future__ import annotations

from datetime import date, datetime

from fablab.domain import codes
from fablab.domain.ages import age_on
from fablab.domain.errors import InvalidInput, PolicyViolation


def check_age(*, min_age: int | None, max_age: int | None, day: date, birth_date: date | None,
              birth_year: int | None) -> None:
    """The workshop's age range on its first day. An unknown birth passes (staff know the person);
    with the year alone, age_on gives the youngest the person can be."""
    age = age_on(day, birth_date, birth_year)
    if age is None:
        return
    if min_age is not None and age < min_age:
        raise PolicyViolation(f"This workshop is for {min_age} and over.", code=codes.TOO_YOUNG,
                              min_age=min_age, age=age)
    if max_age is not None and age > max_age:
        raise PolicyViolation(f"This workshop is for {max_age} and under.", code=codes.WORKSHOP_TOO_OLD,
                              max_age=max_age)


def check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput("The end must come after the start.", code=codes.ENDS_BEFORE_START, field="ends_at")


def check_age_range(min_age: int | None, max_age: int | None) -> None:
    if min_age is not None and max_age is not None and min_age > max_age:
        raise InvalidInput("min_age must not exceed max_age.", code=codes.INVALID_INPUT, field="max_age")


def participant_name(first_name: str, initial: str) -> str:
    """"Amina K.": the programme keeps a first name and an initial, no more."""
    first = " ".join(first_name.split())
    letter = initial.strip().rstrip(".")[:1].upper()
    return f"{first} {letter}." if letter else first


def birth_fields(birth_date: date | None, birth_year: int | None) -> tuple[date | None, int | None]:
    """A date says its year too (the schema holds them equal)."""
    if birth_date is None:
        return None, birth_year
    if birth_year is not None and birth_year != birth_date.year:
        raise InvalidInput("birth_year differs from birth_date's year.", code=codes.BIRTH_DATE_AND_YEAR)
    return birth_date, birth_date.year

