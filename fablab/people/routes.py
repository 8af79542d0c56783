"""HTTP routes of a person's lifecycle: their data, the erasure, and the account changes that end
access (deactivation, a new invite) — every domain's part of them read from fablab/people/registry.py."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, get, patch, post, put
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from fablab.domain import clock
from fablab.accounts import users
from fablab.accounts.routes import invite_out, user_detail
from fablab.accounts.schemas import InviteOut, SitesIn, UserDetail, UserPatch
from fablab.platform.background import PeriodicJob
from fablab.platform.guards import admin_only, signed_in, staff_only
from fablab.people import lifecycle
from fablab.people.schemas import ErasedTableOut, ErasureOut, PersonalDataOut
from fablab.platform.settings import Settings
from fablab.sites import queries as site_queries
from fablab.web.download import attachment


async def data_download(user_id: int, login: str, site: str | None) -> Response[PersonalDataOut]:
    data = msgspec.convert(await lifecycle.personal_data(user_id), PersonalDataOut)
    # The file is named with the site's date: the server's own may be a day off (issue 27 §7).
    today = await site_queries.site_today(site)
    return Response(data, headers=attachment(f"fablab-{login}-{today.isoformat()}.json"))


# A person's data is never kept by a cache on the way (issue 26 §7).
NO_STORE = CacheControlHeader(no_store=True)


class MyDataController(Controller):
    path = "/api/me"
    tags = ["accounts"]

    @get("/data", guards=[signed_in], cache=False, cache_control=NO_STORE,
         summary="Everything stored about me (GDPR right of access)",
         description="A JSON download of every domain's data about the signed-in person (bookings, series, "
                     "waitlist, loans and parts, consumables and prints, feeds, phones…), secrets left out.")
    async def my_data(self, request: Request) -> Response[PersonalDataOut]:
        return await data_download(request.user.id, request.user.login, request.user.site)


class PersonController(Controller):
    """Staff act on learners of their sites, admins on everyone (rules in fablab/accounts/users.py)."""

    path = "/api/users"
    tags = ["users"]

    @get("/{user_id:int}/data", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="Everything stored about a person (GDPR right of access, asked at the desk)",
         description="The same download as GET /api/me/data, for staff of the learner's site or an admin.")
    async def person_data(self, request: Request, user_id: FromPath[int]) -> Response[PersonalDataOut]:
        row = await users.target(request.user, user_id, manage=True)
        return await data_download(user_id, row["login"], request.user.site)

    @post("/{user_id:int}/erase", guards=[admin_only], status_code=HTTP_200_OK,
          summary="Erase a person (GDPR art. 17)",
          description="Their account, sessions, links and phones go; bookings, loans, ledger rows and "
                      "maintenance records stay and forget them, so stock, reports and machine hours keep "
                      "their figures. 409 person_holds_item / person_holds_part while they hold something.")
    async def erase(self, request: Request, user_id: FromPath[int]) -> ErasureOut:
        changed = await lifecycle.erase(actor=request.user, user_id=user_id)
        return ErasureOut(user_id=user_id, erased_at=clock.now(), tables=[
            ErasedTableOut(table=table, rows=rows) for table, rows in changed.items() if rows])

    @put("/{user_id:int}/sites", guards=[admin_only], status_code=HTTP_200_OK,
         summary="The sites a staff account acts for",
         description=("Admin. `{sites: [slug, …]}` replaces the list; takes effect on every worker at once, and "
                      "what a site taken back gave (a staff feed link of it) is revoked. `404 unknown_site`, "
                      "`400 not_staff` for a learner."))
    async def grant_sites(self, user_id: FromPath[int], data: JSONBody[SitesIn]) -> UserDetail:
        """The sites a staff account acts for; its writes and its reads of people stay within them."""
        await lifecycle.grant_sites(user_id=user_id, sites=data.sites)
        return await user_detail(user_id)

    # The account's record and its changes are one path: Litestar wants one controller per path.
    @get("/{user_id:int}", guards=[staff_only], summary="A person's account",
         description="Staff: learners of their sites; admins: everyone.")
    async def show(self, request: Request, user_id: FromPath[int]) -> UserDetail:
        await users.target(request.user, user_id, manage=False)
        return await user_detail(user_id)

    @patch("/{user_id:int}", guards=[staff_only], summary="Change an account's name, cohort or activity",
           description="Deactivating (active false) ends its access like POST /api/users/{id}/deactivate.")
    async def update(self, request: Request, user_id: FromPath[int], data: JSONBody[UserPatch]) -> UserDetail:
        changes = {key: value for key, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
        await lifecycle.update(actor=request.user, user_id=user_id, changes=changes)
        return await user_detail(user_id)

    @post("/{user_id:int}/deactivate", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Deactivate an account",
          description="Sessions, phones, private feed links, the desk pass and invites end; waitlist entries go.")
    async def deactivate(self, request: Request, user_id: FromPath[int]) -> UserDetail:
        await lifecycle.deactivate(actor=request.user, user_id=user_id)
        return await user_detail(user_id)

    @post("/{user_id:int}/invite", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="A new invite, resetting the account's access",
          description="To activate or to reset access: sessions, phones, private feed links, the desk pass "
                      "and older invites end now; the person sets a password again from the new link.")
    async def invite(self, request: Request, user_id: FromPath[int], settings: NamedDependency[Settings]) -> InviteOut:
        token, expires_at = await lifecycle.reset_access(actor=request.user, user_id=user_id)
        return invite_out(settings, token, expires_at)


async def anonymise_old_records() -> None:
    await lifecycle.anonymise_expired()


ROUTES = [MyDataController, PersonController]

JOBS = [PeriodicJob("people.anonymise", 6 * 3600, anonymise_old_records)]
