"""HTTP routes of the waitlist: learners queue and leave, staff see a day's list, promote, remove."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fablab.accounts import scope
from fablab.domain import clock, codes, moments
from fablab.platform.background import PeriodicJob
from fablab.bookings import queries
from fablab.domain.errors import Forbidden, InvalidInput
from fablab.platform.guards import signed_in, staff_only
from fablab.sites import queries as site_queries
from fablab.waitlist import reminders, service as waitlist
from fablab.waitlist.schemas import WaitlistEntryOut, WaitlistIn


class WaitlistController(Controller):
    path = "/api/waitlist"
    tags = ["waitlist"]

    @post("/", guards=[signed_in], status_code=HTTP_201_CREATED,
          summary="Wait for a unit or a kind, for a day or a slot",
          description=("Signed in. `{site, kind, resource?, date}` or `{…, starts_at, ends_at}`; booked at once "
                       "when it is free. One wish per learner per day and kind (`409 already_waiting`). A wish no "
                       "offer could give is refused: a lost or retired unit or no unit of the kind (`422 "
                       "resource_unavailable`), a slot the rules do not allow (`422 outside_opening_hours`, "
                       "`misaligned`, `too_long`, …). When a rule refuses the learner now (a quota, a training) the "
                       "entry is kept and the answer carries `warning` (`{code, detail, …}`). First come, first "
                       "served: a freed slot is offered as a real booking with every rule checked; a refusal is "
                       "recorded in `skip_reason` and the next person gets it, the refused one keeping their place."))
    async def join(self, request: Request, data: JSONBody[WaitlistIn]) -> WaitlistEntryOut:
        """Queue for a slot or a day; when it is free already, the booking is made at once
        (status "booked")."""
        actor = request.user
        if data.user is not None and not actor.is_staff:
            if await queries.user_id_for_ref(data.user) != actor.id:
                raise Forbidden("Only staff put someone else on the waitlist.", code=codes.NOT_ALLOWED_FOR_OTHERS)
        user_id = actor.id if data.user is None else await queries.user_id_for_ref(data.user)
        joined = await waitlist.join(actor=actor, user_id=user_id, site=data.site, kind=data.kind,
                                     resource_tag=data.resource, day=data.day, starts_at=data.starts_at,
                                     ends_at=data.ends_at)
        return msgspec.convert(joined, WaitlistEntryOut)

    @get("/", guards=[signed_in],
         summary="Waitlist entries: mine, or a site's day",
         description=("Signed in. A learner: their entries (waiting ones with their `position`, and the bookings "
                      "the list gave them). Staff with `site` and `date`: that day's queue, in order, for their "
                      "sites."))
    async def list_entries(
        self, request: Request, mine: FromQuery[bool] = False, site: FromQuery[str | None] = None,
        day: Annotated[str | None, QueryParameter(name="date")] = None,
    ) -> list[WaitlistEntryOut]:
        """Learners get their own entries (waiting, and bookings the list gave them); staff a
        site's day in queue order."""
        actor = request.user
        if mine or not actor.is_staff:
            return msgspec.convert(await waitlist.list_mine(actor.id, clock.now()), list[WaitlistEntryOut])
        slug = site or actor.site
        if slug is None:
            raise InvalidInput("Give site=.", code=codes.SITE_REQUIRED)
        site_row = await site_queries.require_site(slug)
        scope.require_site(actor, site_row["id"], "This site")  # the queue names people
        wanted = moments.parse_optional_day(day, "date") or clock.now().astimezone(ZoneInfo(site_row["timezone"])).date()
        return msgspec.convert(await waitlist.list_for_site(slug, wanted), list[WaitlistEntryOut])

    @delete("/{entry_id:int}", guards=[signed_in], status_code=HTTP_204_NO_CONTENT,
            summary="Leave the waitlist",
            description="The learner, or staff of the entry's site.")
    async def leave(self, request: Request, entry_id: FromPath[int]) -> None:
        await waitlist.remove(actor=request.user, entry_id=entry_id)

    @post("/{entry_id:int}/promote", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Book a wish now, out of turn",
          description="Staff of the entry's site. `409 booking_conflict` when nothing is free.")
    async def promote(self, request: Request, entry_id: FromPath[int]) -> WaitlistEntryOut:
        return msgspec.convert(await waitlist.promote(actor=request.user, entry_id=entry_id), WaitlistEntryOut)

    @post("/{entry_id:int}/seen", guards=[signed_in], status_code=HTTP_200_OK,
          summary="The learner saw \"it is yours\"",
          description=("The learner whose entry it is (anyone else: `404 unknown_entry`). Marks the booking the "
                       "list gave them as seen, so the app stops announcing it."))
    async def seen(self, request: Request, entry_id: FromPath[int]) -> WaitlistEntryOut:
        return msgspec.convert(await waitlist.mark_seen(actor=request.user, entry_id=entry_id), WaitlistEntryOut)


ROUTES = [WaitlistController]
JOBS = [PeriodicJob("waitlist-offers", 60, waitlist.offer_everything_free)]
REMINDER_SOURCES = reminders.REMINDER_SOURCES  # "a slot freed and it is yours" (fablab/domain/reminder_types.py)
