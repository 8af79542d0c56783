"""Late returns: a strike at a late check-in, a suspension after too many, its lift; the admission
check that refuses a suspended person's new bookings and loans (fablab/hooks/admission.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fablab.domain import clock, codes
from fablab.hooks import admission
from fablab.platform import db
from fablab.domain.errors import Conflict, InvalidInput, PolicyViolation
from fablab.late import queries
from fablab.late.rules import LatePolicy, is_strike, suspends

# How far back a person's record lists their late returns.
STRIKES_SHOWN = timedelta(days=366)


async def record_return(*, user_id: int | None, booking_id: int, site_id: int, due_at: datetime,
                        returned_at: datetime) -> dict | None:
    """Called by the desk's check-in, in its transaction: a strike when the return is later than the
    site's grace, and a suspension when it is the one too many. None when nothing was recorded."""
    if user_id is None or returned_at <= due_at:
        return None  # on time: no grace (0 at least, by CHECK) makes it a strike; the policy is not read
    policy = await queries.policy_of(site_id)
    if not is_strike(policy, due_at=due_at, returned_at=returned_at):
        return None
    await db.fetch(queries.LOCK_LEARNER, user_id)
    if await db.fetchval(queries.RECORD_STRIKE, user_id, booking_id, site_id, due_at, returned_at) is None:
        return None
    count = await db.fetchval(queries.STRIKES_IN_WINDOW, user_id, site_id, returned_at - policy.window)
    if not suspends(policy, count):
        return {"strike": True, "strikes": count, "suspended_until": None}
    until = returned_at + policy.suspension
    await db.fetch(queries.INSERT_SUSPENSION, user_id, site_id, returned_at, until, count, policy.window_days)
    return {"strike": True, "strikes": count, "suspended_until": until}


def may_be_suspended(t: admission.TakingSql) -> str:
    """ADMISSION's probe: the person holds an active suspension at the site (ACTIVE_AT_SITE's test)."""
    return (f"EXISTS (SELECT FROM suspension p WHERE p.user_id = {t.person} AND p.site_id = {t.site} "
            f"AND p.lifted_at IS NULL AND p.starts_at <= {t.now} AND p.ends_at > {t.now})")


async def refuse_suspended(taking: admission.Taking) -> None:
    """ADMISSION: no new booking or loan at a site while suspended there. The staff override of the
    booking rules passes it (staff decided); lifting it is the usual way."""
    if not taking.enforce_policy or taking.what not in ("booking", "loan"):
        return
    row = await queries.active_at_site(taking.person_id, taking.site_id, clock.now())
    if row is None:
        return
    raise PolicyViolation(
        f"Suspended at {row['site_name']} until {row['ends_at'].isoformat()}: {row['strikes']} late returns "
        f"within {row['window_days']} days.", code=codes.SUSPENDED, until=row["ends_at"].isoformat(),
        site=row["site"], strikes=row["strikes"], window_days=row["window_days"], reason="late_returns")


async def status(user_id: int, now: datetime) -> dict:
    """A person's suspensions (the active ones first) and strikes of the last year."""
    suspensions = await db.fetch(queries.SUSPENSIONS_OF_USER, user_id, now)
    strikes = await db.fetch(queries.STRIKES_OF_USER, user_id, now - STRIKES_SHOWN)
    return {"suspended": any(row["active"] for row in suspensions),
            "suspensions": sorted(suspensions, key=lambda row: not row["active"]), "strikes": strikes}


async def lift(*, actor, user_id: int, reason: str, now: datetime | None = None) -> dict:
    """Staff end a person's suspensions at their sites now; the reason and who lifted are kept."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the suspension is lifted.", code=codes.LIFT_REASON_REQUIRED)
    now = now or clock.now()
    sites = None if actor.is_admin else sorted(actor.site_ids)
    lifted = await db.fetch(queries.LIFT, user_id, now, actor.id, reason, sites)
    if not lifted:
        raise Conflict("No suspension to lift.", code=codes.NOT_SUSPENDED)
    return await status(user_id, now)


async def set_policy(*, site_id: int, policy: LatePolicy) -> LatePolicy:
    await db.fetch(queries.UPSERT_POLICY, site_id, policy.enabled, policy.grace_minutes, policy.strikes,
                   policy.window_days, policy.suspension_days)
    return await queries.policy_of(site_id)

