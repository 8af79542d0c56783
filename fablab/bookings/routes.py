"""HTTP routes of the bookings domain: availability, bookings."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Annotated
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from fablab.accounts import scope
from fablab.domain import clock, codes, moments
from fablab.platform.background import PeriodicJob
from fablab.bookings import changes, create, edits, feed_events, no_shows, queries, reminders
from fablab.bookings.availability import availability
from fablab.sites.calendar import parse_clock
from fablab.bookings.schemas import AvailabilityOut, BookingEdit, BookingIn, BookingOut, ChangedOut
from fablab.domain.errors import Forbidden, InvalidInput, NotFound
from fablab.platform.guards import signed_in, staff_only
from fablab.sites import queries as site_queries

# Lists are bounded; a learner's phone never needs more.
MAX_LIST = 500
UTC = timezone.utc


def parse_bound(text: str | None, tz: ZoneInfo, name: str) -> datetime | None:
    """A date (midnight, site time) or an RFC 3339 instant with its offset."""
    return None if text is None else moments.parse_day_or_instant(text, tz, name)[0]


def _check_period(start: datetime, end: datetime) -> None:
    if end <= start or end - start > timedelta(days=400):
        raise InvalidInput("to must be after from, at most 400 days later.", code=codes.INVALID_DATES)


class BookingController(Controller):
    path = "/api"
    tags = ["bookings"]

    @get("/availability", guards=[signed_in],
         summary="Free slots of a day",
         description=("Signed in. `site`, `kind`, `date`: the free intervals of each unit that day (site time) and "
                      "the free-unit count per slot. It first releases overdue no-shows that block the day, so "
                      "their slots show as free (a write, done lazily). `policy.training` names the training the day's rule asks "
                      "for, `policy.training_held` says whether the caller holds it now."))
    async def get_availability(self, request: Request, site: FromQuery[str], kind: FromQuery[str],
                               day: Annotated[str, QueryParameter(name="date")]) -> AvailabilityOut:
        return await availability(site=site, kind=kind, day=moments.parse_optional_day(day, "date"), now=clock.now(),
                                  user_id=request.user.id)

    @post("/bookings", guards=[signed_in], status_code=HTTP_201_CREATED,
          summary="Book a unit, or any free unit of a kind",
          description=("Signed in. `{resource}` or `{site, kind}`, `{starts_at, ends_at, purpose}` (instants with "
                       "their offset). `201` the booking (by kind: the least used free unit). `409 "
                       "booking_conflict` (PostgreSQL's exclusion constraint); `422` with the rule broken "
                       "(`misaligned`, `outside_opening_hours`, `closed_day`, `too_long`, `too_short`, "
                       "`too_far_ahead`, `in_the_past`, `training_required`, `resource_unavailable`, "
                       "`maintenance_overdue`, `quota_exceeded`). `quota_exceeded` also says which `quota` "
                       "(`max_active_bookings` or `max_hours_per_week`), its `limit` and the bookings that hold it "
                       "(`holding`). Staff may add `user` (a learner of their sites, else `403 "
                       "not_a_learner`/`not_your_site`) and `override_policy` (skips the rules, not the bounds: "
                       "`in_the_past`, more than 730 days ahead, longer than 366 days)."))
    async def create(self, request: Request, data: JSONBody[BookingIn]) -> BookingOut:
        actor = request.user
        if data.user is not None and not actor.is_staff:
            # A learner may name themselves; anyone else is refused.
            if await queries.user_id_for_ref(data.user) != actor.id:
                raise Forbidden("Only staff book for someone else.", code=codes.NOT_ALLOWED_FOR_OTHERS)
        user_id = actor.id if data.user is None else await queries.user_id_for_ref(data.user)
        if data.resource is not None and (data.site is not None or data.kind is not None):
            raise InvalidInput("Give either resource, or site and kind.", code=codes.RESOURCE_OR_KIND)
        if data.resource is None and (data.site is None or data.kind is None):
            raise InvalidInput("Give resource (a tag), or site and kind.", code=codes.RESOURCE_REQUIRED)
        return await create.create_booking(
            actor=actor, user_id=user_id, starts_at=data.starts_at, ends_at=data.ends_at, resource_tag=data.resource,
            site=data.site, kind=data.kind, purpose=data.purpose, enforce_policy=not data.override_policy,
        )

    @get("/bookings", guards=[signed_in],
         summary="Bookings: mine, or a site's",
         description=("Signed in. Learners get their own; staff a site's (`site`, `from`, `to`; `to` is exclusive), "
                      "within their sites. Lists are bounded."))
    async def list_bookings(
        self, request: Request, mine: FromQuery[bool] = False, site: FromQuery[str | None] = None,
        since: Annotated[str | None, QueryParameter(name="from")] = None,
        until: Annotated[str | None, QueryParameter(name="to")] = None,
    ) -> list[BookingOut]:
        """Learners always get their own bookings; staff get a site's (their own site by default)."""
        actor = request.user
        now = clock.now()
        if mine or not actor.is_staff:
            tz = ZoneInfo("UTC")
            start = parse_bound(since, tz, "from") or now - timedelta(days=30)
            end = parse_bound(until, tz, "to") or now + timedelta(days=365)
            _check_period(start, end)
            return await queries.user_list(actor.id, start, end, MAX_LIST, now=now)
        else:
            slug = site or actor.site
            if slug is None:
                raise InvalidInput("Give site=.", code=codes.SITE_REQUIRED)
            site_row = await site_queries.require_site(slug)
            scope.require_site(actor, site_row["id"], "This site")  # the list names people
            tz = ZoneInfo(site_row["timezone"])
            today = datetime.combine(now.astimezone(tz).date(), time(0), tz)
            start = parse_bound(since, tz, "from") or today
            end = parse_bound(until, tz, "to") or today + timedelta(days=15)
            _check_period(start, end)
            rows = await queries.bookings_of_site(site_row["id"], start, end, MAX_LIST, now=now)
        return [queries.booking_out(row, now) for row in rows]

    @get("/bookings/{booking_id:int}", guards=[signed_in],
         summary="One booking",
         description="Signed in. A learner sees only theirs (anyone else's is `404`); staff of its site any.")
    async def get_booking(self, request: Request, booking_id: FromPath[int]) -> BookingOut:
        row = await queries.booking(booking_id)
        # Someone else's booking does not exist, as far as a learner or staff of another site can tell.
        if row is None or (row["user_id"] != request.user.id and not scope.acts_for_site(request.user, row["site_id"])):
            raise NotFound(f"No booking {booking_id}.", code=codes.UNKNOWN_BOOKING)
        return queries.booking_out(row)


    @patch("/bookings/{booking_id:int}", guards=[staff_only], status_code=HTTP_200_OK,
           summary="Move a booking, or its series",
           description=("Staff. `{scope, start_time, end_time, purpose, override_policy}` moves this booking, this "
                        "and the following occurrences, or the whole series; `{starts_at, ends_at}` moves one "
                        "booking. All or nothing (`409 series_conflicts` with the dates taken). New instants pass "
                        "the checks of a new booking (offsets required: `400 naive_timestamp`; with "
                        "`override_policy` the bounds only). Bumps the calendars' `SEQUENCE`."))
    async def edit(self, request: Request, booking_id: FromPath[int], data: JSONBody[BookingEdit]) -> ChangedOut:
        """Staff move this booking, this and the following occurrences of its series, or the whole
        series (all or nothing: 409 series_conflicts with the per-date report)."""
        def clock(text: str | None, name: str):
            return parse_clock(text, name) if text is not None else None

        return await edits.edit_occurrences(
            actor=request.user, booking_id=booking_id, scope=data.scope, starts_at=data.starts_at,
            ends_at=data.ends_at, start_time=clock(data.start_time, "start_time"),
            end_time=clock(data.end_time, "end_time"), purpose=data.purpose, override_policy=data.override_policy)


ROUTES = [BookingController]
JOBS = [PeriodicJob("booking-no-shows", 60, no_shows.expire_no_shows)]
CLOSURE_EFFECTS = (changes.CLOSURE_EFFECT,)
FEED_EVENTS = (feed_events.FEED_EVENTS,)  # its events in the calendar feeds (fablab/hooks/feed_events.py)
REMINDER_SOURCES = reminders.REMINDER_SOURCES  # fablab/domain/reminder_types.py
