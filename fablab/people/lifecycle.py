"""A person's lifecycle across every domain, read from the declarations (fablab/people/registry.py):
their data as JSON, forgetting people after the retention period, the erasure of one person (GDPR
art. 17), the deactivation of an account and the reset of its access.

This module sits above the domains: it calls accounts for who may act on whom, and runs what each
domain declared in one transaction per workflow.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fablab.domain import clock, codes
from fablab.platform import db
from fablab.accounts import invites, privacy, users
from fablab.accounts.session_cache import SESSIONS
from fablab.platform.db import DB
from fablab.domain.errors import Conflict, Forbidden, NotFound
from fablab.people.queries import LOCK_PERSON, erase_statements
from fablab.people.registry import TABLES

if TYPE_CHECKING:
    from fablab.accounts.current import CurrentUser



async def personal_data(user_id: int) -> dict:
    """Everything stored about the person, section by section as the domains declared, without
    secrets (password, token hashes, push keys)."""
    data: dict = {"exported_at": clock.now()}
    for declaration in TABLES:
        if declaration.export is None:
            continue
        export = declaration.export
        rows = await db.fetch(export.sql, user_id)
        data[export.section] = (rows[0] if rows else None) if export.single else rows
    return data


async def anonymise_expired(*, days: int | None = None, now: datetime | None = None) -> dict:
    """Forget people in every table's rows older than the retention period; the rows, their counts
    and quantities stay. Returns how many rows each table changed, and the cutoff."""
    if days is None:
        days, _ = await privacy.retention()
    minors_days, _ = await privacy.minors_retention()
    now = now or clock.now()
    cutoff = now - timedelta(days=days)
    minors_cutoff = now - timedelta(days=min(days, minors_days))
    changed: dict[str, int] = {}
    async with DB.transaction():
        # visitors (issue 30): forgotten on a delay of their own (fablab/hooks/person_data.py, `expiry`).
        for declaration in TABLES:
            if declaration.expiry is not None:
                changed[declaration.table] = len(await db.fetch(declaration.expiry, now))
        for declaration in TABLES:
            if declaration.retention is not None:
                changed[declaration.table] = len(await db.fetch(
                    declaration.retention, minors_cutoff if declaration.minors_retention else cutoff))
    return {"tables": changed, "cutoff": cutoff}


async def end_access(user_id: int, *, deactivating: bool = False) -> None:
    """Inside the caller's transaction: everything that lets the person in or reaches them ends —
    sessions, push subscriptions, private feed links, the desk pass, unused invites; and, for a
    deactivation, what an inactive account must not keep doing (waiting for a slot)."""
    for declaration in TABLES:
        for sql in (declaration.reset, declaration.deactivate if deactivating else None):
            if sql is not None:
                await db.fetch(sql, user_id)


async def grant_sites(*, user_id: int, sites: list[str]) -> None:
    """An admin sets the sites a staff account acts for; what the sites taken back gave them (a staff
    feed link of those sites) ends with them, as each domain declares (`leave_sites`)."""
    async with DB.transaction():
        kept = await users.grant_sites(user_id=user_id, sites=sites)
        for declaration in TABLES:
            if declaration.leave_sites is not None:
                await db.fetch(declaration.leave_sites, user_id, kept)
    SESSIONS.forget_all()  # committed: the other workers forget on the notification; this one at once


async def reset_access(*, actor: CurrentUser, user_id: int) -> tuple[str, datetime]:
    """A new invite that resets the person's access: the old ways in end now. Returns (token, expiry)."""
    await users.check_invite(actor=actor, user_id=user_id)
    async with DB.transaction():
        await end_access(user_id)
        issued = await invites.issue(user_id=user_id, created_by_id=actor.id)
    SESSIONS.forget_all()  # committed: the other workers forget on the notification; this one at once
    return issued


async def deactivate(*, actor: CurrentUser, user_id: int) -> None:
    await users.check_deactivation(actor=actor, user_id=user_id)
    async with DB.transaction():
        await users.set_active(user_id, False)
        await end_access(user_id, deactivating=True)
    SESSIONS.forget_all()


async def update(*, actor: CurrentUser, user_id: int, changes: dict) -> None:
    """PATCH of an account (name, cohort, active); a deactivation ends its access like the route's."""
    async with DB.transaction():
        await users.update(actor=actor, user_id=user_id, changes=changes)
        if changes.get("active") is False:
            await end_access(user_id, deactivating=True)
    SESSIONS.forget_all()


async def _refuse_while_holding(user_id: int) -> None:
    for declaration in TABLES:
        if declaration.holds is None:
            continue
        code, sql = declaration.holds
        held = await db.fetchval(sql, user_id)
        if held:
            raise Conflict(f"This person still holds {held} thing(s) of the fablab ({declaration.table}); "
                           "take them back before erasing.", code=code, held=held)


async def erase(*, actor: CurrentUser, user_id: int) -> dict[str, int]:
    """GDPR art. 17: the person's rows that only mattered to them go, the others forget them
    (references to NULL, their personal text cleared), and their account goes last. Stock, counts
    and machine hours stay: no quantity, time or status of what they used changes. Refused (409)
    while they hold an item or a part. Returns the rows changed per table."""
    if user_id == actor.id:
        raise Forbidden("Ask another admin to erase your own account.", code=codes.CANNOT_CHANGE_SELF)
    changed: dict[str, int] = {}
    async with DB.transaction():
        if await db.fetchone(LOCK_PERSON, user_id) is None:
            raise NotFound("No such user.", code=codes.UNKNOWN_USER)
        await _refuse_while_holding(user_id)
        await end_access(user_id, deactivating=True)
        ordered = sorted(TABLES, key=lambda declaration: declaration.table == "app_user")  # the account last
        for declaration in ordered:
            for sql in (declaration.before_erase, *declaration.erase_extra):
                if sql is not None:
                    await db.fetch(sql, user_id)
            for sql in erase_statements(declaration):
                changed[declaration.table] = changed.get(declaration.table, 0) + len(await db.fetch(sql, user_id))
    SESSIONS.forget_all()
    return changed
