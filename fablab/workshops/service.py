"""Writes of the workshops domain's people: partners (referring structures) and participants."""

from __future__ import annotations

import secrets
from datetime import date

import asyncpg

from fablab.accounts import scope
from fablab.domain import codes
from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.platform.db import DB
from fablab.domain.errors import Conflict, InvalidInput, NotFound
from fablab.sites.queries import require_site
from fablab.tables import Participant, Partner, User
from fablab.workshops import queries
from fablab.workshops.rules import birth_fields, participant_name


async def create_partner(*, actor: CurrentUser, site: str, name: str, kind: str, contact: str) -> dict:
    site_row = await require_site(site)
    scope.require_site(actor, site_row["id"], "This site")
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("The name is required.", code=codes.NAME_REQUIRED, field="name")
    try:
        [row] = await Partner.insert(Partner(site=site_row["id"], name=name, kind=kind, contact=contact.strip())
                                     ).returning(Partner.id)
    except asyncpg.UniqueViolationError:
        raise Conflict(f"{name!r} already exists at this site.", code=codes.PARTNER_EXISTS) from None
    return await queries.require_partner(row["id"])


async def partner_of_site(partner_id: int | None, site_id: int) -> dict | None:
    """The partner, which must be of the site (422 partner_other_site), or None."""
    if partner_id is None:
        return None
    partner = await queries.require_partner(partner_id)
    if partner["site_id"] != site_id:
        raise InvalidInput("This partner belongs to another site.", code=codes.PARTNER_OTHER_SITE,
                           partner=partner_id)
    return partner


async def _site_id_for(actor: CurrentUser, site: str | None) -> int:
    if site is None:
        if actor.site_id is None:
            raise InvalidInput("Name the site, e.g. vlg.", code=codes.SITE_REQUIRED)
        site_id = actor.site_id
    else:
        site_id = (await require_site(site))["id"]
    scope.require_site(actor, site_id, "This site")
    return site_id


async def create_participant(*, actor: CurrentUser, first_name: str, initial: str, site: str | None,
                             birth_date: date | None, birth_year: int | None, partner_id: int | None,
                             status: str) -> dict:
    """A young person without an account: an app_user (role participant, no password, a login
    nobody types) and their participant row, in one transaction."""
    site_id = await _site_id_for(actor, site)
    name = participant_name(first_name, initial)
    if not name:
        raise InvalidInput("The first name is required.", code=codes.NAME_REQUIRED, field="first_name")
    birth_date, birth_year = birth_fields(birth_date, birth_year)
    await partner_of_site(partner_id, site_id)
    async with DB.transaction():
        # The login is only a unique handle (participants never sign in): random, never shown.
        [user] = await User.insert(User(
            role="participant", name=name, login=f"participant.{secrets.token_hex(6)}", site=site_id,
            birth_date=birth_date, birth_year=birth_year, created_at=db.NOW, updated_at=db.NOW,
        )).returning(User.id)
        await Participant.insert(Participant(user=user["id"], partner=partner_id, status=status, created_by=actor.id))
    return await queries.require_participant(user["id"])


async def visible_participant(actor: CurrentUser, user_id: int, *, enrol_learner: bool = False) -> dict:
    """A participant of the staff's sites; another site's answers as one that does not exist (issue 26).
    enrol_learner: a learner of those sites signed up by the desk becomes a participant then."""
    row = await queries.participant(user_id)
    if row is None and enrol_learner:
        person = await db.fetchone("SELECT role, site_id FROM app_user WHERE id = $1 AND active", user_id)
        if person is not None and person["role"] == "learner" and scope.acts_for_site(actor, person["site_id"]):
            await ensure_participant(user_id, actor.id)
            row = await queries.participant(user_id)
    if row is None or not scope.acts_for_site(actor, row["site_id"]):
        raise NotFound(f"No participant {user_id}.", code=codes.UNKNOWN_PARTICIPANT)
    return row


async def ensure_participant(user_id: int, created_by_id: int) -> None:
    """A learner who signs up becomes a participant (no partner, status unknown), in the caller's transaction."""
    await db.fetch(queries.ENSURE_PARTICIPANT, user_id, created_by_id)
