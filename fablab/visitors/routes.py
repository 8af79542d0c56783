"""HTTP routes of the visitors domain: the desk's visitor and their printable pass, today's visitors,
the admin's delay before visitors are forgotten."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post, put
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from fablab.accounts import scope
from fablab.domain import clock, moments
from fablab.hooks import admission
from fablab.accounts import passes, privacy
from fablab.accounts.qr import qr_svg
from fablab.accounts.schemas import PassOut, RetentionOut
from fablab.platform.guards import admin_only, staff_only
from fablab.platform.settings import Settings
from fablab.sites.queries import DEFAULT_TIMEZONE, find_site
from fablab.visitors import queries, service
from fablab.visitors.schemas import VisitorDaysIn, VisitorIn, VisitorOut, VisitorPassOut

NO_STORE = CacheControlHeader(no_store=True)


def visitor_out(row: dict) -> VisitorOut:
    return VisitorOut(id=row["id"], name=row["name"], site=row["site"], valid_from=row["valid_from"],
                      valid_until=row["valid_until"], age_band=row["age_band"], purpose=row["purpose"],
                      created_at=row["created_at"])


async def _day(site: str | None, day: str | None) -> date:
    """The day asked, else today at the site named (or in the sites' usual time zone)."""
    if day:
        return moments.parse_day(day, "day")
    site_row = await find_site(site) if site else None
    return clock.now().astimezone(ZoneInfo(site_row["timezone"] if site_row else DEFAULT_TIMEZONE)).date()


class VisitorController(Controller):
    path = "/api/visitors"
    tags = ["visitors"]

    @post("", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Welcome a visitor: a pass for a day or a week, no account",
          description=("Staff of the site. `{first_name, initial?, site? (default: the desk's own), age_band?: "
                       "under_16|16_17|18_25|over_25, purpose?, valid_from? (today), valid_until? (valid_from)}`: "
                       "the name kept is \"Inès B.\"; the pass is valid on those local days, 7 at most. `400 "
                       "visitor_pass_too_long`, `visitor_pass_in_past`, `ends_before_start`, `name_required`; `403 "
                       "not_your_site`. The visitor is forgotten the admin's delay after the last day (30 days)."))
    async def create(self, request: Request, data: JSONBody[VisitorIn]) -> VisitorOut:
        return visitor_out(await service.create_visitor(
            actor=request.user, first_name=data.first_name, initial=data.initial, site=data.site,
            age_band=data.age_band, purpose=data.purpose, valid_from=data.valid_from, valid_until=data.valid_until))

    @get("", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="The visitors of a day at a site",
         description=("Staff. `site` (default: their sites), `day` (default: today at the site): the visitors whose "
                      "pass covers that day, newest first (500 at most)."))
    async def of_day(self, request: Request, site: FromQuery[str | None] = None,
                     day: FromQuery[str | None] = None) -> list[VisitorOut]:
        site_ids = await scope.listed_sites(request.user, site)
        return [visitor_out(row) for row in await queries.visitors_of_day(site_ids, await _day(site, day))]

    @get("/{visitor_id:int}", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="A visitor and their pass, to show or print",
         description=("Staff of the visitor's site (`403 not_your_site`). The pass's QR (the same payload as a "
                      "learner's desk pass, scanned at a workshop's door) and its short typed code. `404 "
                      "unknown_visitor` once the visitor is forgotten."))
    async def one(self, request: Request, visitor_id: FromPath[int],
                  settings: NamedDependency[Settings]) -> VisitorPassOut:
        row = await service.visible_visitor(request.user, visitor_id)
        token = await passes.current_pass(secret_key=settings.secret_key, user_id=visitor_id)
        url = passes.pass_url(settings.base_url, token)
        return VisitorPassOut(visitor=visitor_out(row), pass_=PassOut(
            token=token, url=url, svg=qr_svg(url), code=passes.code_for(visitor_id, token)))


class VisitorDaysController(Controller):
    path = "/api/admin/visitor-retention"
    tags = ["admin"]

    @get("", guards=[admin_only],
         summary="How long after their pass visitors are forgotten",
         description="Admin. Days after a visitor's pass ends before the periodic job forgets them (30 by default).")
    async def get_days(self) -> RetentionOut:
        days, is_default = await privacy.visitor_days()
        return RetentionOut(days=days, is_default=is_default)

    @put("", guards=[admin_only],
         summary="Set how long after their pass visitors are forgotten",
         description=("Admin. `{days}` (1-3650): the person-lifecycle job then forgets each visitor's name, purpose "
                      "and pass that many days after its last day; the impact report still counts them."))
    async def set_days(self, data: JSONBody[VisitorDaysIn]) -> RetentionOut:
        await privacy.set_visitor_days(data.days)
        return RetentionOut(days=data.days, is_default=False)


ROUTES: list = [VisitorController, VisitorDaysController]
ADMISSION = [admission.Check(service.refuse_visitor_without_pass, service.may_be_visitor)]
