"""The admission checks of minors (fablab/hooks/admission.py): a guardian's consent to participation on
the day, and a policy's minimum age, for bookings, loans and workshop sign-ups."""

from __future__ import annotations

from datetime import date

from fablab.domain import ages, codes
from fablab.hooks import admission
from fablab.platform import db
from fablab.domain.errors import PolicyViolation
from fablab.minors import queries, rules

# A minor takes part (a booking, a loan, a workshop seat) only with a guardian's consent to it.
NEEDED = ("participation",)


def may_concern(t: admission.TakingSql) -> str:
    """ADMISSION's probe: the person's birth is known and they may be a minor on the day (a year's
    slack for the site's time zone and a birth year alone), or a minimum age binds the unit or the
    site's kind. Most adults book with no minimum age: their verdict is not asked."""
    return f"""EXISTS (SELECT FROM app_user u WHERE u.id = {t.person} AND (
        u.birth_date > ({t.starts_at})::date - interval '19 years'
        OR u.birth_year >= extract(year FROM {t.starts_at}) - 19
        OR ((u.birth_date IS NOT NULL OR u.birth_year IS NOT NULL) AND EXISTS (
            SELECT FROM policy p WHERE p.min_age IS NOT NULL
              AND (p.resource_id = {t.resource} OR (p.site_id = {t.site} AND p.kind = {t.kind}))))))"""


async def admit_minor(taking: admission.Taking) -> None:
    """ADMISSION: a policy's minimum age, then a minor's consent, from one read of the person (a
    round trip inside every booking's and loan's transaction, measured: two reads cost a third of
    POST /api/bookings' throughput)."""
    person = await queries.person_on_day(taking.person_id, taking.starts_at, taking.site_id, taking.resource_id,
                                         taking.kind if taking.what in ("booking", "loan") else None)
    if person is None:
        return
    age = ages.age_on(person["day"], person["birth_date"], person["birth_year"])
    if age is None:
        return  # nobody of unknown birth is taken for a minor or refused for age (fablab/domain/ages.py)
    await refuse_too_young(taking, person["min_age"], age)
    if age < ages.ADULT_AGE:
        await require_consent(taking, person["day"])


async def require_consent(taking: admission.Taking, day: date) -> None:
    """A minor on the day needs a valid consent covering participation; the staff override of the
    booking rules never passes it (it is the guardian's, not the rules')."""
    covered = await queries.covered_on(taking.person_id, day)
    missing = rules.missing(covered, NEEDED)
    if not missing:
        return
    raise PolicyViolation(
        f"A minor: a guardian's consent to {', '.join(missing)} on {day.isoformat()} is needed first.",
        code=codes.CONSENT_REQUIRED, missing=missing, day=day.isoformat(),
        has_guardian=covered["has_guardian"], person=taking.person_id)


async def refuse_too_young(taking: admission.Taking, min_age: int | None, age: int) -> None:
    """Under the minimum age of the unit's policy (its own, else its site's for its kind), a booking or
    loan is refused, unless a trainer books for the person (or lends what a trainer booked for them).
    A walk-up loan at the desk is staff booking for the person, so it passes: the rule keeps a young
    person from booking alone, and the desk from lending what they booked alone."""
    if taking.what not in ("booking", "loan") or min_age is None or age >= min_age:
        return
    if await _trainer_decides(taking):
        return
    raise PolicyViolation(
        f"{min_age} years old at least for this item, unless a trainer books it for the person.",
        code=codes.TOO_YOUNG, min_age=min_age, age=age)


async def _trainer_decides(taking: admission.Taking) -> bool:
    if taking.what == "booking":
        return taking.actor_is_staff and taking.actor_id != taking.person_id
    return taking.resource_id is not None and bool(await db.fetchval(
        queries.TRAINER_BOOKED, taking.person_id, taking.resource_id, taking.starts_at))
