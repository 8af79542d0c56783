"""The workshops' pure rules (fablab/workshops/rules.py): age range on the first day, names, births."""

from __future__ import annotations

from datetime import date

import pytest

from fablab.domain.errors import InvalidInput, PolicyViolation
from fablab.workshops.rules import birth_fields, check_age, participant_name

DAY = date(2027, 3, 10)


@pytest.mark.parametrize("birth_date, birth_year, refusal", [
    (date(2011, 3, 10), None, None),               # 16 that very day
    (date(2011, 3, 11), None, "too_young"),
    (None, 2011, "too_young"),            # the year alone: the youngest they can be (15)
    (date(2001, 3, 11), None, None),               # 25 until the next day
    (date(2001, 3, 10), None, "workshop_too_old"),  # 26
    (None, None, None),                            # unknown: the desk knows the person
])
def test_age_range_on_the_workshops_first_day(birth_date, birth_year, refusal):
    if refusal is None:
        check_age(min_age=16, max_age=25, day=DAY, birth_date=birth_date, birth_year=birth_year)
        return
    with pytest.raises(PolicyViolation) as refused:
        check_age(min_age=16, max_age=25, day=DAY, birth_date=birth_date, birth_year=birth_year)
    assert refused.value.code == refusal and refused.value.status == 422


def test_a_first_name_and_an_initial():
    assert participant_name("  Amina  Sofia ", "k.") == "Amina Sofia K."
    assert participant_name("Léo", "") == "Léo"


def test_a_birth_date_says_its_year():
    assert birth_fields(date(2008, 5, 1), None) == (date(2008, 5, 1), 2008)
    assert birth_fields(None, 2008) == (None, 2008)
    with pytest.raises(InvalidInput):
        birth_fields(date(2008, 5, 1), 2009)
