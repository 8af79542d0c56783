"""fablab/domain/ages.py: one meaning of "15 on that day" for consents, minimum ages and the impact report."""

from datetime import date

import pytest

from fablab.domain.ages import age_band, age_on, is_minor


@pytest.mark.parametrize("day, born, year, age", [
    (date(2026, 12, 7), date(2010, 12, 7), None, 16),   # birthday today
    (date(2026, 12, 6), date(2010, 12, 7), None, 15),   # the day before
    (date(2028, 2, 28), date(2012, 2, 29), None, 15),   # born on 29 February: 16 on 1 March
    (date(2028, 3, 1), date(2012, 2, 29), None, 16),
    (date(2026, 6, 1), None, 2010, 15),                 # the year alone: the youngest they can be
    (date(2026, 12, 31), None, 2010, 16),
    (date(2026, 6, 1), None, None, None),
])
def test_age_on(day, born, year, age):
    assert age_on(day, born, year) == age


def test_a_year_of_birth_alone_never_lets_a_minor_through_early():
    assert is_minor(date(2026, 6, 1), None, 2008)       # 18 at the latest on 31 December
    assert not is_minor(date(2026, 12, 31), None, 2008)
    assert not is_minor(date(2026, 6, 1), None, None)   # nothing known: not taken for a minor


@pytest.mark.parametrize("age, band", [(12, "under_16"), (15, "under_16"), (16, "16_17"), (17, "16_17"),
                                       (18, "18_25"), (25, "18_25"), (26, "over_25"), (None, None)])
def test_age_band(age, band):
    assert age_band(age) == band


def test_the_visitors_age_bands_are_the_impact_reports():
    from fablab.domain.ages import AGE_BANDS
    from fablab.domain.vocabulary import AGE_BAND_NAMES
    assert AGE_BAND_NAMES == tuple(band for band, _, _ in AGE_BANDS)
