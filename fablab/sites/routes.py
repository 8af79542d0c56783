"""HTTP routes of the sites domain: sites, their closures, booking policies."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fablab.domain import clock, codes, moments
from fablab.sites.calendar import Policy, holiday_dates
from fablab.domain.errors import InvalidInput
from fablab.platform.guards import admin_only, public, signed_in
from fablab.domain.schemas import PersonOut
from fablab.sites import queries, service
from fablab.sites.schemas import (
    ClosureAddedOut, ClosureHitOut, ClosureImpactOut, ClosureIn, ClosureOut, PolicyIn, PolicyOut, ResourcePolicyOut,
    SiteOut, SitePatch, SitePolicyOut,
)


def site_out(site: dict) -> SiteOut:
    return SiteOut(slug=site["slug"], name=site["name"], address=site["address"], contact=site["contact"],
                   timezone=site["timezone"], opening_hours=site["opening_hours"])


def closure_hit_out(row: dict) -> ClosureHitOut:
    return ClosureHitOut(
        id=row["id"], resource=row["resource"], resource_name=row["resource_name"], kind=row["kind"],
        site=row["site"], starts_at=row["starts_at"], ends_at=row["ends_at"],
        user=None if row["user_id"] is None else PersonOut(id=row["user_id"], name=row["user_name"],
                                                           login=row["user_login"]),
        shortened_to=list(row["shortened_to"]) if row.get("shortened_to") else None,
    )


class SiteController(Controller):
    path = "/api"
    tags = ["sites"]

    @get("/sites", guards=[public],
         summary="The sites",
         description="Anyone. Each site with its address, time zone and weekly opening hours.")
    async def list_sites(self) -> list[SiteOut]:
        return [site_out(site) for site in await queries.list_sites()]

    @get("/sites/{slug:str}", guards=[public],
         summary="One site",
         description="Anyone. Address, time zone, contact, weekly opening hours; `404 unknown_site`.")
    async def get_site(self, slug: FromPath[str]) -> SiteOut:
        return site_out(await queries.require_site(slug))

    @patch("/sites/{slug:str}", guards=[admin_only],
           summary="Change a site",
           description=("Admin. Name, address, contact, time zone, opening hours `{\"mon\": "
                        "[[\"09:00\",\"12:30\"],[\"13:30\",\"18:00\"]], …}` (several ranges a day; a day left out "
                        "is closed every week)."))
    async def update_site(self, slug: FromPath[str], data: JSONBody[SitePatch]) -> SiteOut:
        changes = {field: value for field, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
        return site_out(await service.update_site(slug=slug, changes=changes))

    @get("/sites/{slug:str}/closures", guards=[public],
         summary="Closures and public holidays of a site",
         description="Anyone. `from`, `to`: closures and French public holidays (named in French: \"Noël\").")
    async def list_closures(
        self, slug: FromPath[str],
        since: Annotated[str | None, QueryParameter(name="from")] = None,
        until: Annotated[str | None, QueryParameter(name="to")] = None,
    ) -> list[ClosureOut]:
        """Stored closures and French public holidays (closed by default) between two dates."""
        site = await queries.require_site(slug)
        today = clock.now().astimezone(ZoneInfo(site["timezone"])).date()
        first = moments.parse_optional_day(since, "from") or today
        last = moments.parse_optional_day(until, "to") or first + timedelta(days=365)
        if last < first or (last - first).days > 3 * 366:
            raise InvalidInput("from..to must be ordered and span at most three years.", code=codes.INVALID_DATES)
        stored = [ClosureOut(**row, source="closure") for row in await queries.closures(site["id"], first, last)]
        public_holidays = [
            ClosureOut(id=None, site=None, starts_on=day, ends_on=day, reason=name, source="public_holiday")
            for day, name in sorted(holiday_dates(range(first.year, last.year + 1)).items()) if first <= day <= last
        ]
        return sorted(stored + public_holidays, key=lambda closure: (closure.starts_on, closure.source))

    @get("/sites/{slug:str}/closures/impact", guards=[admin_only], cache=False,
         summary="What a closure would cancel",
         description=("Admin. `from`, `to`, `all_sites`: the confirmed bookings a closure of those days would hit, "
                      "with their learners."))
    async def closure_impact(
        self, slug: FromPath[str],
        since: Annotated[str, QueryParameter(name="from")],
        until: Annotated[str, QueryParameter(name="to")],
        all_sites: FromQuery[bool] = False,
    ) -> ClosureImpactOut:
        """The confirmed bookings a closure of the days [from, to] would hit, with their learners."""
        first, last = moments.parse_optional_day(since, "from"), moments.parse_optional_day(until, "to")
        hit = await service.closure_impact(slug=slug, starts_on=first, ends_on=last, all_sites=all_sites)
        bookings = hit.get("bookings", [])
        return ClosureImpactOut(first=first, last=last, count=len(bookings),
                                bookings=[closure_hit_out(row) for row in bookings],
                                plans={name: len(rows) for name, rows in hit.items()})

    @post("/sites/{slug:str}/closures", guards=[admin_only], status_code=HTTP_201_CREATED,
          summary="Close a site (or all) for some days",
          description=("Admin. `{starts_on, ends_on, reason, all_sites, cancel_bookings}`. With `cancel_bookings` "
                       "the confirmed bookings of those days are cancelled in the same transaction (`cancel_reason: "
                       "closure`, `cancel_note`: the reason) and each learner is told once (`booking_withdrawn`, "
                       "e-mail and push); a loan by the day that only loses its first or last days is shortened to the "
                       "open days left instead (`shortened_bookings`, `cancel_note`: the reason), one whose first and "
                       "last days stay open is not hit. The answer lists `cancelled_bookings` and the "
                       "`affected_bookings` left, and the same for every kind of plan the days hit (`cancelled`, "
                       "`shortened`, `affected`: bookings, workshops)."))
    async def add_closure(self, slug: FromPath[str], data: JSONBody[ClosureIn]) -> ClosureAddedOut:
        """With `cancel_bookings`, the confirmed bookings of those days are cancelled and their
        learners told (by e-mail when SMTP is configured, and in their booking list)."""
        added = await service.add_closure(slug=slug, starts_on=data.starts_on, ends_on=data.ends_on,
                                          reason=data.reason, all_sites=data.all_sites,
                                          cancel_bookings=data.cancel_bookings)
        return msgspec.convert(added, ClosureAddedOut)

    @delete("/closures/{closure_id:int}", guards=[admin_only], status_code=HTTP_204_NO_CONTENT,
            summary="Remove a closure",
            description="Admin. `204`.")
    async def delete_closure(self, closure_id: FromPath[int]) -> None:
        await service.delete_closure(closure_id)


def policy_from(data: PolicyIn) -> Policy:
    return Policy(**msgspec.structs.asdict(data))


class PolicyController(Controller):
    path = "/api"
    tags = ["policies"]

    # Readable by every user: the booking screens show the rules before the learner picks a slot.
    @get("/policies", guards=[signed_in],
         summary="The booking rules per site and kind",
         description=("Signed in (the booking screens show the rules before the learner picks a slot). `site` "
                      "optional: slot size, shortest and longest booking, days ahead, buffer, quotas, grace before "
                      "a no-show, training required."))
    async def list_policies(self, site: FromQuery[str | None] = None) -> list[PolicyOut]:
        if site is not None:
            await queries.require_site(site)
        return msgspec.convert(await queries.list_policies(site), list[PolicyOut])

    @put("/policies/{site:str}/{kind:str}", guards=[admin_only], status_code=HTTP_200_OK,
         summary="Set the booking rules of a kind at a site",
         description=("Admin. Slot size, min/max length (minutes or opening days), days ahead, buffer after, "
                      "whether a booking may end after closing, quotas per learner, grace before a no-show, "
                      "training required."))
    async def put_policy(self, site: FromPath[str], kind: FromPath[str], data: JSONBody[PolicyIn]) -> SitePolicyOut:
        policy = await service.put_policy(site=site, kind=kind, policy=policy_from(data))
        return SitePolicyOut(site=site.lower(), kind=kind, **asdict(policy))

    @put("/resources/{tag:str}/policy", guards=[admin_only], status_code=HTTP_200_OK,
         summary="A rule override for one unit",
         description="Admin. The same fields as the kind's rules; they apply to this unit instead.")
    async def put_resource_policy(self, tag: FromPath[str], data: JSONBody[PolicyIn]) -> ResourcePolicyOut:
        policy = await service.put_resource_policy(tag=tag, policy=policy_from(data))
        return ResourcePolicyOut(resource=tag.upper(), **asdict(policy))

    @delete("/resources/{tag:str}/policy", guards=[admin_only], status_code=HTTP_204_NO_CONTENT,
            summary="Drop a unit's rule override",
            description="Admin. The unit follows its kind's rules again.")
    async def delete_resource_policy(self, tag: FromPath[str]) -> None:
        await service.delete_resource_policy(tag=tag)


ROUTES = [SiteController, PolicyController]
