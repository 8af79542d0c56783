"""Writes of the visitors domain: a visitor and their pass made at the desk, the admission check that
lets a visitor take a seat of an open workshop on a day their pass covers, forgetting them."""

from __future__ import annotations

import secrets
from datetime import date
from zoneinfo import ZoneInfo

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.hooks import admission
from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.platform.db import DB
from fablab.domain.errors import InvalidInput
from fablab.sites.queries import require_site, site_by_id
from fablab.tables import User, VisitorPass
from fablab.visitors import queries, rules
from fablab.workshops.queries import require_workshop
from fablab.workshops.rules import participant_name
from fablab.workshops.service import ensure_participant

# Whether a person is a visitor, and their pass (the admission check's one read of them).
PASS_OF = """
SELECT v.valid_from, v.valid_until, v.anonymised_at IS NOT NULL AS forgotten
FROM visitor_pass v JOIN app_user u ON u.id = v.user_id WHERE v.user_id = $1 AND u.role = 'visitor'
"""


def local_today(timezone: str) -> date:
    return clock.now().astimezone(ZoneInfo(timezone)).date()


async def _site_for(actor: CurrentUser, site: str | None) -> dict:
    """The site named, else the desk's own; staff of it only (403 not_your_site)."""
    if site is None:
        if actor.site_id is None:
            raise InvalidInput("Name the site, e.g. vlg.", code=codes.SITE_REQUIRED)
        row = await site_by_id(actor.site_id)
    else:
        row = await require_site(site)
    scope.require_site(actor, row["id"], "This site")
    return row


async def create_visitor(*, actor: CurrentUser, first_name: str, initial: str, site: str | None,
                         age_band: str | None, purpose: str, valid_from: date | None,
                         valid_until: date | None) -> dict:
    """A visitor without an account (an app_user of role visitor, a login nobody types), their
    participant row (so workshops sign them up like anyone) and their pass, in one transaction."""
    site_row = await _site_for(actor, site)
    name = participant_name(first_name, initial)
    if not name:
        raise InvalidInput("The first name is required.", code=codes.NAME_REQUIRED, field="first_name")
    first, last = rules.pass_days(local_today(site_row["timezone"]), valid_from, valid_until)
    async with DB.transaction():
        [user] = await User.insert(User(
            role="visitor", name=name, login=f"visitor.{secrets.token_hex(6)}", site=site_row["id"],
            created_at=db.NOW, updated_at=db.NOW)).returning(User.id)
        await ensure_participant(user["id"], actor.id)
        await VisitorPass.insert(VisitorPass(
            user=user["id"], site=site_row["id"], valid_from=first, valid_until=last, age_band=age_band,
            purpose=" ".join(purpose.split()), created_by=actor.id, created_at=db.NOW))
    return await queries.require_visitor(user["id"])


async def visible_visitor(actor: CurrentUser, user_id: int) -> dict:
    """A visitor not yet forgotten (404 unknown_visitor), of the staff's sites (403 not_your_site)."""
    row = await queries.require_visitor(user_id)
    scope.require_site(actor, row["site_id"], "This visitor")
    return row


def may_be_visitor(t: admission.TakingSql) -> str:
    """ADMISSION's probe: the person has a visitor's pass (PASS_OF's test)."""
    return f"EXISTS (SELECT FROM visitor_pass v WHERE v.user_id = {t.person})"


async def refuse_visitor_without_pass(taking: admission.Taking) -> None:
    """ADMISSION: a visitor takes a seat of (or is marked present at) a workshop open to visitors only,
    on a day their pass covers (the workshop's first day, in its site's time). Nobody else is concerned."""
    if taking.what not in ("workshop", "attendance") or taking.workshop_id is None:
        return
    visitor_pass = await db.fetchone(PASS_OF, taking.person_id)
    if visitor_pass is None:
        return
    workshop = await require_workshop(taking.workshop_id)
    rules.check_covers(day=workshop["starts_at"].astimezone(ZoneInfo(workshop["timezone"])).date(),
                       valid_from=visitor_pass["valid_from"], valid_until=visitor_pass["valid_until"],
                       forgotten=visitor_pass["forgotten"], open_to_visitors=workshop["open_to_visitors"])

