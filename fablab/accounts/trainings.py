"""Trainings (admin): the courses a policy may require before a learner books a kind or a unit."""

from __future__ import annotations

import asyncpg

from fablab.domain import clock, codes
from fablab.hooks import admission
from fablab.platform import db
from fablab.accounts import queries
from fablab.accounts.training_validity import Validity, check_validity
from fablab.platform.db import NOW
from fablab.domain.errors import Conflict, InvalidInput, NotFound, PolicyViolation
from fablab.sites import queries as site_queries
from fablab.tables import Training


async def create_training(*, name: str, description: str, rule: Validity = Validity()) -> dict:
    name, description = name.strip(), description.strip()
    if check_validity(rule):
        raise InvalidInput(f"A {rule.validity} validity needs {check_validity(rule)}.", code=codes.INVALID_VALIDITY)
    if not name:
        raise InvalidInput("The training needs a name.", code=codes.NAME_REQUIRED)
    try:
        rows = await Training.insert(Training(
            name=name, description=description, created_at=NOW, validity=rule.validity, valid_days=rule.valid_days,
            valid_until=rule.valid_until, idle_days=rule.idle_days)).returning(
            Training.id, Training.name, Training.description, Training.validity, Training.valid_days,
            Training.valid_until, Training.idle_days)
        return rows[0]
    except asyncpg.UniqueViolationError:
        raise Conflict(f"A training is already called {name!r}.", code=codes.TRAINING_EXISTS) from None


async def set_validity(*, training_id: int, rule: Validity) -> dict:
    """How long certifications of this training stay valid from now on (existing ones included:
    their end is computed from it when asked)."""
    missing = check_validity(rule)
    if missing:
        raise InvalidInput(f"A {rule.validity} validity needs {missing}.", code=codes.INVALID_VALIDITY, field=missing)
    # Only the fields of the chosen validity are kept, so a training never says two things.
    values = {Training.validity: rule.validity,
              Training.valid_days: rule.valid_days if rule.validity == "days" else None,
              Training.valid_until: rule.valid_until if rule.validity == "until" else None,
              Training.idle_days: rule.idle_days if rule.validity == "idle" else None}
    rows = await Training.update(values).where(Training.id == training_id).returning(
        Training.id, Training.name, Training.description, *[column for column in values])
    if not rows:
        raise NotFound("No such training.", code=codes.UNKNOWN_TRAINING)
    return rows[0]


RENEW_HINT = "Ask the fablab's staff to grant the training again (a short refresher session)."


def may_have_lapsed(t: admission.TakingSql) -> str:
    """ADMISSION's probe: the person holds a certification that can end (its training's validity is
    not 'forever', or the grant has an end of its own; training_validity.certification_end)."""
    return (f"EXISTS (SELECT FROM certification c JOIN training tr ON tr.id = c.training_id "
            f"WHERE c.user_id = {t.person} AND (tr.validity <> 'forever' OR c.expires_at IS NOT NULL))")


async def refuse_lapsed_training(taking: admission.Taking) -> None:
    """ADMISSION: a booking or loan of what a lapsed training unlocks is refused with
    `training_expired`, naming the training and how to renew it. A person never trained is left to
    the booking rules (`training_required`); staff, and the staff override, are not held to it."""
    if not taking.enforce_policy or taking.kind is None or taking.what not in ("booking", "loan"):
        return
    policy = await site_queries.policy_for(taking.site_id, taking.kind, taking.resource_id)
    if policy.training_id is None or await db.fetchval(LEARNER, taking.person_id) is None:
        return
    now = clock.now()
    held = await queries.certifications(taking.person_id, now, policy.training_id)
    if not held or not held[0]["expired"]:
        return
    lapsed = held[0]
    raise PolicyViolation(
        f"The training {lapsed['training']!r} ended on {lapsed['ends_at'].isoformat()}. {RENEW_HINT}",
        code=codes.TRAINING_EXPIRED, training_id=policy.training_id, training=lapsed["training"],
        ended_at=lapsed["ends_at"].isoformat(), renew=RENEW_HINT, reason=lapsed["validity"])


# Raw: one indexed read on every booking of something a training unlocks.
LEARNER = "SELECT id FROM app_user WHERE id = $1 AND role = 'learner'"
