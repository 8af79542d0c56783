"""Sites are a boundary (docs/ARCHITECTURE.md, Rules, 7; issue 16 §1): the one check behind every staff write and
every staff read of personal data, called with the site the object belongs to.

A staff account acts for the sites it was granted (table staff_site, its home site by default);
admins act everywhere. On other sites staff get what a learner gets. Staff act in the name of
themselves or of learners of their sites, never of another staff member or an admin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from fablab.domain import codes
from fablab.platform import db
from fablab.domain.errors import Forbidden, InvalidInput, NotFound
from fablab.sites.queries import require_site as site_named

if TYPE_CHECKING:
    from fablab.accounts.current import CurrentUser

def acts_for_site(actor: CurrentUser | None, site_id: int | None) -> bool:
    """May this caller act as staff on this site (write, or read its people's data)?"""
    if actor is None or not actor.is_staff:
        return False
    return actor.is_admin or (site_id is not None and site_id in actor.site_ids)


def require_site(actor: CurrentUser, site_id: int | None, what: str = "This") -> None:
    if not acts_for_site(actor, site_id):
        raise Forbidden(f"{what} is outside the sites you work for.", code=codes.NOT_YOUR_SITE)


def require_sites(actor: CurrentUser, site_ids: Iterable[int | None], what: str = "This") -> None:
    for site_id in set(site_ids):
        require_site(actor, site_id, what)


def may_act_for(actor: CurrentUser, person: dict) -> bool:
    """person: id, role, site_id. Oneself, or a learner of one's sites."""
    if person["id"] == actor.id:
        return True
    return person["role"] == "learner" and acts_for_site(actor, person["site_id"])


def require_person(actor: CurrentUser, person: dict) -> None:
    """Staff book, lend and queue for themselves or for learners of their sites only."""
    if person["id"] == actor.id:
        return
    if person["role"] != "learner":
        raise Forbidden("Staff act in the name of learners only, never of staff or admins.", code=codes.NOT_A_LEARNER)
    if not acts_for_site(actor, person["site_id"]):
        # The same answer as for a login that does not exist (issue 26): staff of another site
        # must not learn, login by login, who is enrolled elsewhere.
        raise NotFound("No active user with this login or id.", code=codes.UNKNOWN_USER)


def require_borrower(actor: CurrentUser, person: dict, *, present: bool) -> None:
    """Whom staff may lend an item of their site to (issue 28, a visiting learner): themselves, a
    learner of their sites, or a learner of any site who is at the desk — `present`: named by their
    own pass or their own booking of the item, never by a login typed in (which must not tell staff,
    login by login, who is enrolled elsewhere). The item stays its site's; only the holder visits."""
    if present and person["role"] == "learner":
        return
    require_person(actor, person)


async def person(user_id: int) -> dict:
    row = await db.fetchone("SELECT id, role, site_id FROM app_user WHERE id = $1", user_id)
    if row is None:
        raise NotFound(f"No user {user_id}.", code=codes.UNKNOWN_USER)
    return row


async def require_person_id(actor: CurrentUser, user_id: int) -> None:
    if user_id != actor.id:
        require_person(actor, await person(user_id))


async def listed_sites(actor: CurrentUser, slug: str | None) -> list[int] | None:
    """The sites a staff list covers: the one named (if the actor works there), else all of the
    actor's sites; None for an admin naming none (every site)."""
    if slug is None:
        return None if actor.is_admin else sorted(actor.site_ids)
    site_id = (await site_named(slug))["id"]
    require_site(actor, site_id, "This site")
    return [site_id]


async def site_slugs(user_id: int, role: str) -> list[str]:
    """What GET /api/me and /api/users/{id} show as `sites`: every site for an admin."""
    if role == "admin":
        return [row["slug"] for row in await db.fetch("SELECT slug FROM site ORDER BY slug")]
    if role != "staff":
        return []
    rows = await db.fetch(
        "SELECT s.slug FROM staff_site ss JOIN site s ON s.id = ss.site_id WHERE ss.user_id = $1 ORDER BY s.slug",
        user_id)
    return [row["slug"] for row in rows]


async def site_for(actor: CurrentUser, slug: str | None) -> dict:
    """The site a staff screen is about (a report, a stock, machine hours): their home site by
    default, or one of theirs."""
    if slug is None:
        if actor.site is None:
            raise InvalidInput("Name the site, e.g. ?site=vlg.", code=codes.SITE_REQUIRED)
        slug = actor.site
    site = await site_named(slug)
    require_site(actor, site["id"], "This site")
    return site
