"""A person's age from what is known of their birth (app_user.birth_date, or birth_year alone).

Kernel: pure, no imports from the domains. Consents, minimum ages and the impact report's age bands
all ask here, so that "15 on that day" means the same everywhere.
"""

from __future__ import annotations

from datetime import date

# The funders' bands (issue 29's impact report), as (label, lowest age, highest age or None).
AGE_BANDS = (("under_16", 0, 15), ("16_17", 16, 17), ("18_25", 18, 25), ("over_25", 26, None))
ADULT_AGE = 18


def age_on(day: date, birth_date: date | None, birth_year: int | None = None) -> int | None:
    """Completed years on `day`; None when nothing is known. With the year alone, the youngest the
    person can be (born on 31 December): a rule protecting minors never lets one through early."""
    if birth_date is not None:
        before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
        return day.year - birth_date.year - before_birthday
    if birth_year is not None:
        return day.year - birth_year - 1 if (day.month, day.day) < (12, 31) else day.year - birth_year
    return None


def is_minor(day: date, birth_date: date | None, birth_year: int | None = None) -> bool:
    """Under 18 on `day`. Nobody is taken for a minor without a birth date or year."""
    age = age_on(day, birth_date, birth_year)
    return age is not None and age < ADULT_AGE


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    for label, lowest, highest in AGE_BANDS:
        if age >= lowest and (highest is None or age <= highest):
            return label
    return None
