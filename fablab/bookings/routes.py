"""HTTP routes of the bookings domain: sites, closures, policies, availability, bookings."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fablab import moments, scope
from fablab.background import PeriodicJob
from fablab.bookings import queries, series, service
from fablab.bookings.availability import availability
from fablab.bookings.recurrence import parse_clock
from fablab.bookings.rules import Policy, holiday_dates
from fablab.bookings.schemas import BookingEdit, BookingIn, CancelIn, ClosureIn, PolicyIn, SitePatch
from fablab.errors import Forbidden, InvalidInput, NotFound
from fablab.guards import admin_only, public, signed_in, staff_only

# Lists are bounded; a learner's phone never needs more.
MAX_LIST = 500
UTC = timezone.utc


def now_utc() -> datetime:
    return datetime.now(UTC)


def site_out(site: dict) -> dict:
    return {key: site[key] for key in ("slug", "name", "address", "contact", "timezone", "opening_hours")}


def parse_day(text: str | None, name: str) -> date | None:
    return None if text is None else moments.parse_day(text, name)


def parse_bound(text: str | None, tz: ZoneInfo, name: str) -> datetime | None:
    """A date (midnight, site time) or an RFC 3339 instant with its offset."""
    return None if text is None else moments.parse_day_or_instant(text, tz, name)[0]


def closure_hit_out(row: dict) -> dict:
    return {
        "id": row["id"], "resource": row["resource"], "resource_name": row["resource_name"], "kind": row["kind"],
        "site": row["site"], "starts_at": row["starts_at"], "ends_at": row["ends_at"],
        "user": None if row["user_id"] is None else {"id": row["user_id"], "name": row["user_name"],
                                                     "login": row["user_login"]},
    }


def _check_period(start: datetime, end: datetime) -> None:
    if end <= start or end - start > timedelta(days=400):
        raise InvalidInput("to must be after from, at most 400 days later.", code="invalid_dates")


class SiteController(Controller):
    path = "/api"
    tags = ["sites"]

    @get("/sites", guards=[public])
    async def list_sites(self) -> list[dict]:
        return [site_out(site) for site in await queries.list_sites()]

    @get("/sites/{slug:str}", guards=[public])
    async def get_site(self, slug: FromPath[str]) -> dict:
        return site_out(await queries.require_site(slug))

    @patch("/sites/{slug:str}", guards=[admin_only])
    async def update_site(self, slug: FromPath[str], data: JSONBody[SitePatch]) -> dict:
        changes = {field: value for field, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
        return site_out(await service.update_site(slug=slug, changes=changes))

    @get("/sites/{slug:str}/closures", guards=[public])
    async def list_closures(
        self, slug: FromPath[str],
        since: Annotated[str | None, QueryParameter(name="from")] = None,
        until: Annotated[str | None, QueryParameter(name="to")] = None,
    ) -> list[dict]:
        """Stored closures and French public holidays (closed by default) between two dates."""
        site = await queries.require_site(slug)
        today = now_utc().astimezone(ZoneInfo(site["timezone"])).date()
        first = parse_day(since, "from") or today
        last = parse_day(until, "to") or first + timedelta(days=365)
        if last < first or (last - first).days > 3 * 366:
            raise InvalidInput("from..to must be ordered and span at most three years.", code="invalid_dates")
        stored = [{**row, "source": "closure"} for row in await queries.closures(site["id"], first, last)]
        public_holidays = [
            {"id": None, "site": None, "starts_on": day, "ends_on": day, "reason": name, "source": "public_holiday"}
            for day, name in sorted(holiday_dates(range(first.year, last.year + 1)).items()) if first <= day <= last
        ]
        return sorted(stored + public_holidays, key=lambda row: (row["starts_on"], row["source"]))

    @get("/sites/{slug:str}/closures/impact", guards=[admin_only], cache=False)
    async def closure_impact(
        self, slug: FromPath[str],
        since: Annotated[str, QueryParameter(name="from")],
        until: Annotated[str, QueryParameter(name="to")],
        all_sites: FromQuery[bool] = False,
    ) -> dict:
        """The confirmed bookings a closure of the days [from, to] would hit, with their learners."""
        first, last = parse_day(since, "from"), parse_day(until, "to")
        rows = await service.closure_impact(slug=slug, starts_on=first, ends_on=last, all_sites=all_sites)
        return {"from": first, "to": last, "count": len(rows), "bookings": [closure_hit_out(row) for row in rows]}

    @post("/sites/{slug:str}/closures", guards=[admin_only], status_code=HTTP_201_CREATED)
    async def add_closure(self, slug: FromPath[str], data: JSONBody[ClosureIn]) -> dict:
        """With `cancel_bookings`, the confirmed bookings of those days are cancelled and their
        learners told (by e-mail when SMTP is configured, and in their booking list)."""
        return await service.add_closure(slug=slug, starts_on=data.starts_on, ends_on=data.ends_on,
                                         reason=data.reason, all_sites=data.all_sites,
                                         cancel_bookings=data.cancel_bookings)

    @delete("/closures/{closure_id:int}", guards=[admin_only], status_code=HTTP_204_NO_CONTENT)
    async def delete_closure(self, closure_id: FromPath[int]) -> None:
        await service.delete_closure(closure_id)


def policy_from(data: PolicyIn) -> Policy:
    return Policy(**msgspec.structs.asdict(data))


class PolicyController(Controller):
    path = "/api"
    tags = ["policies"]

    # Readable by every user: the booking screens show the rules before the learner picks a slot.
    @get("/policies", guards=[signed_in])
    async def list_policies(self, site: FromQuery[str | None] = None) -> list[dict]:
        if site is not None:
            await queries.require_site(site)
        return await queries.list_policies(site)

    @put("/policies/{site:str}/{kind:str}", guards=[admin_only], status_code=HTTP_200_OK)
    async def put_policy(self, site: FromPath[str], kind: FromPath[str], data: JSONBody[PolicyIn]) -> dict:
        policy = await service.put_policy(site=site, kind=kind, policy=policy_from(data))
        return {"site": site.lower(), "kind": kind, **asdict(policy)}

    @put("/resources/{tag:str}/policy", guards=[admin_only], status_code=HTTP_200_OK)
    async def put_resource_policy(self, tag: FromPath[str], data: JSONBody[PolicyIn]) -> dict:
        policy = await service.put_resource_policy(tag=tag, policy=policy_from(data))
        return {"resource": tag.upper(), **asdict(policy)}

    @delete("/resources/{tag:str}/policy", guards=[admin_only], status_code=HTTP_204_NO_CONTENT)
    async def delete_resource_policy(self, tag: FromPath[str]) -> None:
        await service.delete_resource_policy(tag=tag)


class BookingController(Controller):
    path = "/api"
    tags = ["bookings"]

    @get("/availability", guards=[signed_in])
    async def get_availability(self, site: FromQuery[str], kind: FromQuery[str],
                               day: Annotated[str, QueryParameter(name="date")]) -> dict:
        return await availability(site=site, kind=kind, day=parse_day(day, "date"), now=now_utc())

    @post("/bookings", guards=[signed_in], status_code=HTTP_201_CREATED)
    async def create(self, request: Request, data: JSONBody[BookingIn]) -> dict:
        actor = request.user
        if data.user is not None and not actor.is_staff:
            # A learner may name themselves; anyone else is refused.
            if await queries.user_id_for_ref(data.user) != actor.id:
                raise Forbidden("Only staff book for someone else.", code="not_allowed_for_others")
        user_id = actor.id if data.user is None else await queries.user_id_for_ref(data.user)
        if data.resource is not None and (data.site is not None or data.kind is not None):
            raise InvalidInput("Give either resource, or site and kind.", code="resource_or_kind")
        if data.resource is None and (data.site is None or data.kind is None):
            raise InvalidInput("Give resource (a tag), or site and kind.", code="resource_required")
        return await service.create_booking(
            actor=actor, user_id=user_id, starts_at=data.starts_at, ends_at=data.ends_at, resource_tag=data.resource,
            site=data.site, kind=data.kind, purpose=data.purpose, enforce_policy=not data.override_policy,
        )

    @get("/bookings", guards=[signed_in])
    async def list_bookings(
        self, request: Request, mine: FromQuery[bool] = False, site: FromQuery[str | None] = None,
        since: Annotated[str | None, QueryParameter(name="from")] = None,
        until: Annotated[str | None, QueryParameter(name="to")] = None,
    ) -> list[dict]:
        """Learners always get their own bookings; staff get a site's (their own site by default)."""
        actor = request.user
        now = now_utc()
        if mine or not actor.is_staff:
            tz = ZoneInfo("UTC")
            start = parse_bound(since, tz, "from") or now - timedelta(days=30)
            end = parse_bound(until, tz, "to") or now + timedelta(days=365)
            _check_period(start, end)
            return await queries.user_list(actor.id, start, end, MAX_LIST, now=now)
        else:
            slug = site or actor.site
            if slug is None:
                raise InvalidInput("Give site=.", code="site_required")
            site_row = await queries.require_site(slug)
            scope.require_site(actor, site_row["id"], "This site")  # the list names people
            tz = ZoneInfo(site_row["timezone"])
            today = datetime.combine(now.astimezone(tz).date(), time(0), tz)
            start = parse_bound(since, tz, "from") or today
            end = parse_bound(until, tz, "to") or today + timedelta(days=15)
            _check_period(start, end)
            rows = await queries.bookings_of_site(site_row["id"], start, end, MAX_LIST, now=now)
        return [queries.booking_out(row) for row in rows]

    @get("/bookings/{booking_id:int}", guards=[signed_in])
    async def get_booking(self, request: Request, booking_id: FromPath[int]) -> dict:
        row = await queries.booking(booking_id)
        # Someone else's booking does not exist, as far as a learner can tell.
        if row is None or (row["user_id"] != request.user.id and not request.user.is_staff):
            raise NotFound(f"No booking {booking_id}.", code="unknown_booking")
        if row["user_id"] != request.user.id:
            scope.require_site(request.user, row["site_id"], "This booking")
        return queries.booking_out(row)

    @patch("/bookings/{booking_id:int}", guards=[staff_only], status_code=HTTP_200_OK)
    async def edit(self, request: Request, booking_id: FromPath[int], data: JSONBody[BookingEdit]) -> dict:
        """Staff move this booking, this and the following occurrences of its series, or the whole
        series (all or nothing: 409 series_conflicts with the per-date report)."""
        def clock(text: str | None, name: str):
            return parse_clock(text, name) if text is not None else None

        return await series.edit_occurrences(
            actor=request.user, booking_id=booking_id, scope=data.scope, starts_at=data.starts_at,
            ends_at=data.ends_at, start_time=clock(data.start_time, "start_time"),
            end_time=clock(data.end_time, "end_time"), purpose=data.purpose, override_policy=data.override_policy)

    @post("/bookings/{booking_id:int}/cancel", guards=[signed_in], status_code=HTTP_200_OK)
    async def cancel(self, request: Request, booking_id: FromPath[int], data: JSONBody[CancelIn | None] = None) -> dict:
        """The booking; with {"scope": "following" | "series"}, the occurrences of its series that
        have not started: {"cancelled": [...]}."""
        scope = data.scope if data is not None else "this"
        if scope == "this":
            return await service.cancel_booking(actor=request.user, booking_id=booking_id)
        return await series.cancel_occurrences(actor=request.user, booking_id=booking_id, scope=scope)


ROUTES = [SiteController, PolicyController, BookingController]
JOBS = [PeriodicJob("booking-no-shows", 60, service.expire_no_shows)]
