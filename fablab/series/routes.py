"""HTTP routes of recurring bookings (staff), and of cancelling a booking with its series."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from fablab.domain import codes
from fablab.bookings import queries
from fablab.bookings.schemas import BookingOut, CancelledOut
from fablab.domain.errors import InvalidInput
from fablab.platform.guards import signed_in, staff_only
from fablab.series import service as series
from fablab.series.recurrence import WeeklyRule
from fablab.series.schemas import CancelIn, SeriesCreatedOut, SeriesIn, SeriesOut


class SeriesController(Controller):
    path = "/api"
    tags = ["series"]

    @post("/series", guards=[staff_only], status_code=HTTP_201_CREATED,
          responses={HTTP_200_OK: ResponseSpec(SeriesCreatedOut, description="A dry run: the plan, nothing created")},
          summary="Plan a weekly series of bookings",
          description=("Staff. `{resource}` or `{site, kind, quantity}`, `{first_day, start_time, end_time, "
                       "weekdays, interval, until or count, purpose, user, on_conflict, dry_run}` (the RRULE subset "
                       "`FREQ=WEEKLY;INTERVAL;BYDAY;UNTIL|COUNT`). Every date is `created`, `conflict` (who holds "
                       "it) or skipped (`closure`, `holiday`, `outside_opening_hours`, `past`). With taken dates, "
                       "`on_conflict: none` (default) creates nothing and answers `409 series_conflicts` with the "
                       "per-date report; `all_but_conflicts` creates the rest. `dry_run` reports only (`200`). "
                       "Occurrences are ordinary bookings, each guarded by the exclusion constraint."))
    async def create(self, request: Request, data: JSONBody[SeriesIn]) -> Response[SeriesCreatedOut]:
        """201 with the series and a per-date report; 200 for a dry run; 409 series_conflicts
        (nothing created) when dates are taken and on_conflict is "none"."""
        if data.resource is not None and (data.site is not None or data.kind is not None):
            raise InvalidInput("Give either resource, or site and kind.", code=codes.RESOURCE_OR_KIND)
        rule = WeeklyRule.build(first_day=data.first_day, start_time=data.start_time,
                                end_time=data.end_time, weekdays=data.weekdays, interval=data.interval,
                                until=data.until, count=data.count)
        user_id = request.user.id if data.user is None else await queries.user_id_for_ref(data.user)
        result = await series.create_series(
            actor=request.user, user_id=user_id, rule=rule, resource_tag=data.resource, site=data.site,
            kind=data.kind, quantity=data.quantity, purpose=data.purpose, on_conflict=data.on_conflict,
            dry_run=data.dry_run)
        return Response(msgspec.convert(result, SeriesCreatedOut),
                        status_code=HTTP_200_OK if data.dry_run else HTTP_201_CREATED)

    @get("/series/{series_id:int}", guards=[staff_only],
         summary="A series: its rule and its bookings",
         description="Staff of its site.")
    async def get_series(self, request: Request, series_id: FromPath[int]) -> SeriesOut:
        return msgspec.convert(await series.series_out(series_id, actor=request.user), SeriesOut)


class CancellationController(Controller):
    """A booking's cancellation, which may reach the rest of its series, and whose freed slots go
    to the waitlist (the path is the bookings')."""

    path = "/api"
    tags = ["bookings"]

    @post("/bookings/{booking_id:int}/cancel", guards=[signed_in], status_code=HTTP_200_OK,
          summary="Cancel a booking (or the rest of its series)",
          description=("The booker or staff of its site. Bumps the calendars' `SEQUENCE`; the freed slot goes to "
                       "the waitlist at once. `{scope: following}` or `{scope: series}` cancels the not-yet-started "
                       "occurrences from this one on, or all of them: `{cancelled: [...]}`. Staff cancelling "
                       "someone else's booking set `cancel_reason: staff` and the learner is told "
                       "(`booking_withdrawn`). `409` when it is already checked out, returned or cancelled."))
    async def cancel(self, request: Request, booking_id: FromPath[int], data: JSONBody[CancelIn | None] = None
                     ) -> BookingOut | CancelledOut:
        """The booking; with {"scope": "following" | "series"}, the occurrences of its series that
        have not started: {"cancelled": [...]}."""
        scope = data.scope if data is not None else "this"
        if scope == "this":
            return await series.cancel_one(actor=request.user, booking_id=booking_id)
        return msgspec.convert(await series.cancel_occurrences(actor=request.user, booking_id=booking_id, scope=scope),
                               CancelledOut)


ROUTES = [SeriesController, CancellationController]
