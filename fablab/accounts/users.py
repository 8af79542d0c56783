"""Staff and admins managing accounts: who may see and change whom, and the writes themselves.

Rules: admins see and manage everyone; staff see themselves, and see and manage learners of
their sites (fablab.accounts.scope: a learner of another site is 403 not_your_site). Nobody deactivates
themselves. Role, site and login are set at creation and never changed through the API; an admin
grants a staff account its sites.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import asyncpg

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.platform import db
from fablab.accounts import invites, queries, throttle
from fablab.accounts.logins import normalise_login
from fablab.platform.db import DB, NOW
from fablab.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from fablab.sites.queries import find_site_named
from fablab.tables import Certification, Site, StaffSite, Training, User
from fablab.domain.vocabulary import ACCOUNT_ROLES

if TYPE_CHECKING:
    from fablab.accounts.current import CurrentUser

def can_view(actor: CurrentUser, target: dict) -> bool:
    """Whether the account exists as far as the actor can tell (staff accounts are the admins' business)."""
    return actor.is_admin or target["role"] == "learner" or target["id"] == actor.id


def can_manage(actor: CurrentUser, target: dict) -> bool:
    if actor.is_admin:
        return True
    return target["role"] == "learner" and scope.acts_for_site(actor, target["site_id"])


def visible_roles(actor: CurrentUser) -> tuple[str, ...]:
    return ACCOUNT_ROLES if actor.is_admin else ("learner",)


async def target(actor: CurrentUser, user_id: int, *, manage: bool) -> dict:
    """The user the actor asks about; 404 when they may not even see it, 403 when only seeing."""
    row = await queries.user_row(user_id)
    if row is None or not can_view(actor, row):
        raise NotFound("No such user.", code=codes.UNKNOWN_USER)
    if row["id"] != actor.id and row["role"] == "learner":
        scope.require_site(actor, row["site_id"], "This learner")  # their name, cohort, trainings
    if manage and not can_manage(actor, row):
        raise Forbidden("Only staff of this learner's site can change this account.", code=codes.NOT_YOUR_SITE)
    return row


async def detail(user_id: int) -> dict:
    row = await queries.user_row(user_id)
    row["certifications"] = await queries.certifications(user_id)
    row["sites"] = await scope.site_slugs(user_id, row["role"])
    row["invite_expires_at"] = await invites.pending_expiry(user_id)
    row["login_wait_seconds"] = await throttle.account_wait(row["login"])
    return row


async def resolve_site(actor: CurrentUser, site: str | None) -> int:
    """The site a new account belongs to, by slug or name as shown: staff only the sites they act for."""
    if site is None:
        if actor.site_id is None:
            raise InvalidInput("Name the site of the new account.", code=codes.SITE_REQUIRED)
        scope.require_site(actor, actor.site_id, "Your home site")  # a grant an admin took back
        return actor.site_id
    found = await find_site_named(site)
    if found is None:
        raise NotFound(f"Unknown site {site!r}.", code=codes.UNKNOWN_SITE)
    scope.require_site(actor, found["id"], "This site")
    return found["id"]


async def create(*, actor: CurrentUser, name: str, login: str, role: str = "learner",
                 site: str | None = None, cohort: str = "") -> tuple[int, str, datetime]:
    """A new account without a password, and its first invite. Returns (id, invite token, expiry)."""
    if role not in ("learner", "staff"):
        raise InvalidInput("role must be learner or staff.", code=codes.INVALID_ROLE)
    if role != "learner" and not actor.is_admin:
        raise Forbidden("Only an admin creates staff accounts.", code=codes.ROLE_NOT_ALLOWED)
    login = normalise_login(login)
    name, cohort = name.strip(), cohort.strip()
    if not name:
        raise InvalidInput("The name is required.", code=codes.NAME_REQUIRED)
    site_id = await resolve_site(actor, site)
    async with DB.transaction():
        # A taken login raises UniqueViolation on app_user_login_ci: 409 login_taken.
        rows = await User.insert(User(role=role, name=name, login=login, site=site_id, cohort=cohort,
                                       created_at=NOW, updated_at=NOW)).returning(User.id)
        user_id = rows[0]["id"]
        token, expires_at = await invites.issue(user_id=user_id, created_by_id=actor.id)
    return user_id, token, expires_at


async def update(*, actor: CurrentUser, user_id: int, changes: dict) -> None:
    """changes: any of name, cohort, active (the schema refuses everything else)."""
    await target(actor, user_id, manage=True)
    if "active" in changes and user_id == actor.id:
        raise Forbidden("You cannot deactivate or reactivate your own account.", code=codes.CANNOT_CHANGE_SELF)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            raise InvalidInput("The name is required.", code=codes.NAME_REQUIRED)
    if "cohort" in changes:
        changes["cohort"] = changes["cohort"].strip()
    if not changes:
        return
    values = {User._meta.get_column_by_name(column): value for column, value in changes.items()}
    # A deactivation's ending of access is every domain's: fablab/people/lifecycle.py runs it in the
    # caller's transaction, with this write.
    await User.update({**values, User.updated_at: NOW}).where(User.id == user_id)


async def check_deactivation(*, actor: CurrentUser, user_id: int) -> None:
    await target(actor, user_id, manage=True)
    if user_id == actor.id:
        raise Forbidden("You cannot deactivate your own account.", code=codes.CANNOT_CHANGE_SELF)


async def set_active(user_id: int, active: bool) -> None:
    await User.update({User.active: active, User.updated_at: NOW}).where(User.id == user_id)


async def unlock(*, actor: CurrentUser, user_id: int) -> None:
    """Staff of the learner's site (the learner at the desk with their pass): sign-in attempts
    work again at once, whatever wrong passwords were tried before."""
    row = await target(actor, user_id, manage=True)
    await throttle.unlock(row["login"])


async def check_invite(*, actor: CurrentUser, user_id: int) -> None:
    """Whether the actor may reset this account's access by a new invite (fablab/people/lifecycle.py)."""
    await target(actor, user_id, manage=True)
    if user_id == actor.id:
        raise Forbidden("Ask another admin to reset your own access.", code=codes.CANNOT_CHANGE_SELF)


async def certify(*, actor: CurrentUser, user_id: int, training_id: int, expires_at: datetime | None) -> None:
    await target(actor, user_id, manage=True)
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise InvalidInput("expires_at needs a time zone offset.", code=codes.INVALID_EXPIRY)
        if expires_at <= clock.now():
            raise InvalidInput("expires_at is in the past.", code=codes.INVALID_EXPIRY)
    if not await Training.exists().where(Training.id == training_id):
        raise NotFound("No such training.", code=codes.UNKNOWN_TRAINING)
    # Granting again renews: who granted it and until when are the latest staff's word. The grant's
    # time is the app's clock (a training's validity counts from it, as the checks count to it).
    await Certification.insert(
        Certification(user=user_id, training=training_id, granted_by=actor.id, granted_at=clock.now(),
                      expires_at=expires_at),
    ).on_conflict(
        target=(Certification.user, Certification.training), action="DO UPDATE",
        values=[Certification.granted_by, Certification.granted_at, Certification.expires_at],
    )


async def uncertify(*, actor: CurrentUser, user_id: int, training_id: int) -> None:
    await target(actor, user_id, manage=True)
    removed = await Certification.delete().where(
        Certification.user == user_id, Certification.training == training_id).returning(Certification.id)
    if not removed:
        raise NotFound("This user does not have this training.", code=codes.UNKNOWN_CERTIFICATION)


async def grant_sites(*, user_id: int, sites: list[str]) -> list[int]:
    """Admins: the sites a staff account acts for, replacing the previous grants; the ids of those it
    keeps. In the caller's transaction (fablab/people/lifecycle.py ends what the sites taken back gave),
    which forgets the cached sessions once committed."""
    row = await queries.user_row(user_id)
    if row is None:
        raise NotFound("No such user.", code=codes.UNKNOWN_USER)
    if row["role"] not in ("staff", "admin"):
        raise InvalidInput("Only staff and admin accounts belong to sites.", code=codes.NOT_STAFF)
    slugs = sorted({slug.strip().lower() for slug in sites})
    found = await Site.select(Site.id, Site.slug).where(Site.slug.is_in(slugs)) if slugs else []
    unknown = sorted(set(slugs) - {site["slug"] for site in found})
    if unknown:
        raise NotFound(f"Unknown site(s): {', '.join(unknown)}.", code=codes.UNKNOWN_SITE, sites=unknown)
    # The user's row first: two admins granting at once apply one after the other.
    await db.fetch(queries.LOCK_USER, user_id)
    site_ids = [site["id"] for site in found]
    taken_back = [StaffSite.site.not_in(site_ids)] if site_ids else []  # NOT IN () is no SQL: none kept
    await StaffSite.delete().where(StaffSite.user == user_id, *taken_back)
    if site_ids:
        grants = (StaffSite(user=user_id, site=site_id, granted_at=NOW) for site_id in site_ids)
        await StaffSite.insert(*grants).on_conflict(action="DO NOTHING")
    return site_ids


class ImportRejected(InvalidInput):
    code, title = codes.IMPORT_REJECTED, "Nothing imported"


async def _import_row(actor: CurrentUser, row, site: str | None, transaction) -> dict:
    result = {"line": row.line, "login": row.login, "name": row.name, "cohort": row.cohort}
    savepoint = await transaction.savepoint()  # a failed row must not abort the others' checks
    try:
        user_id, token, expires_at = await create(
            actor=actor, name=row.name, login=row.login, site=row.site or site, cohort=row.cohort)
    except DomainError as error:
        await savepoint.rollback_to()
        result.update(status="error", code=error.code, detail=error.detail)
    except asyncpg.UniqueViolationError:
        await savepoint.rollback_to()
        result.update(status="error", code=codes.LOGIN_TAKEN, detail="This login is already used.")
    except asyncpg.DataError:  # a name or cohort past what a column holds
        await savepoint.rollback_to()
        result.update(status="error", code=codes.INVALID_INPUT, detail="A cell of this line is too long or invalid.")
    else:
        await savepoint.release()
        result.update(status="created", user_id=user_id, token=token, expires_at=expires_at)
    return result


async def import_cohort(*, actor: CurrentUser, rows: list, site: str | None = None) -> list[dict]:
    """Create a learner per row, all or nothing (issue 26): one bad row used to leave the rows
    before it created while the answer was an error, their invites lost. Every row is tried, in
    one transaction; any bad one rolls all back, and the 400 `import_rejected` lists each bad
    line (line, login, code, detail) so the file can be fixed and sent again. A row without a
    site goes to `site` (the one chosen on the screen), else to the actor's home site.

    rows: csvio.CohortRow. Returns per row: line, login, status "created", user_id, token, expires_at.
    """
    async with DB.transaction() as transaction:
        results = [await _import_row(actor, row, site, transaction) for row in rows]
        bad = [{key: result[key] for key in ("line", "login", "code", "detail")}
               for result in results if result["status"] == "error"]
        if bad:
            lines = ", ".join(str(entry["line"]) for entry in bad)
            raise ImportRejected(f"Nothing was imported: fix line(s) {lines} and send the file again.", rows=bad)
    return results


# A cohort is a class of a few dozen; the bound keeps one request from minting thousands of invites.
MAX_COHORT_INVITES = 300


async def cohort_invites(*, actor: CurrentUser, cohort: str, site: str | None) -> list[dict]:
    """New invites for every learner of the cohort who has not activated their account yet, to
    print as one sheet (older invites of theirs stop working). Staff: their own site."""
    site_id = await resolve_site(actor, site)
    rows = await db.fetch(queries.UNINVITED_OF_COHORT, site_id, cohort, MAX_COHORT_INVITES + 1)
    if len(rows) > MAX_COHORT_INVITES:
        raise InvalidInput(f"More than {MAX_COHORT_INVITES} accounts to invite; import the cohort in parts.",
                           code=codes.COHORT_TOO_LARGE)
    sheet = []
    for row in rows:
        await target(actor, row["id"], manage=True)
        token, expires_at = await invites.issue(user_id=row["id"], created_by_id=actor.id)
        sheet.append({"user": dict(row), "token": token, "expires_at": expires_at})
    return sheet
