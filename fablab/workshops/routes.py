"""HTTP routes of the workshops domain: partners, participants, workshops, sign-ups, attendance, courses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fablab.accounts import scope
from fablab.domain import clock, moments
from fablab.accounts import passes
from fablab.accounts.qr import qr_svg
from fablab.accounts.schemas import PassOut
from fablab.platform.background import PeriodicJob
from fablab.hooks.closure_effects import ClosureEffect
from fablab.platform.guards import public, signed_in, staff_only
from fablab.platform.settings import Settings
from fablab.sites.queries import require_site
from fablab.workshops import attendance, closures, courses, feed_events, notices, queries, registrations, schedule, service
from fablab.workshops.schemas import (
    AttendanceIn, AttendanceOut, CancelIn, CourseBriefOut, CourseIn, CourseOut, CourseProgressOut, CourseWorkshopOut,
    HoldOut, MyRegistrationOut, ParticipantIn, ParticipantOut, PartnerBrief, PartnerIn, PartnerOut, RegistrationIn,
    RegistrationOut, RegistrationRowOut, TrainerOut, WorkshopIn, WorkshopOut, WorkshopPatch,
)

NO_STORE = CacheControlHeader(no_store=True)
PATCHABLE = ("title", "description", "capacity", "min_age", "max_age", "audience", "open_to_visitors", "course")
DEFAULT_TZ = "Europe/Paris"


def partner_out(row: dict) -> PartnerOut:
    return PartnerOut(id=row["id"], site=row["site"], name=row["name"], kind=row["kind"], contact=row["contact"],
                      active=row["active"])


def participant_out(row: dict) -> ParticipantOut:
    partner = None if row["partner_id"] is None else PartnerBrief(
        id=row["partner_id"], name=row["partner_name"], kind=row["partner_kind"])
    return ParticipantOut(id=row["id"], name=row["name"], site=row["site"], birth_date=row["birth_date"],
                          birth_year=row["birth_year"], partner=partner, status=row["status"],
                          has_account=row["role"] not in ("participant", "visitor"), visitor=row["role"] == "visitor")


def workshop_out(row: dict) -> WorkshopOut:
    return WorkshopOut(
        id=row["id"], site=row["site"], title=row["title"], description=row["description"],
        starts_at=row["starts_at"], ends_at=row["ends_at"], room=row["room"], capacity=row["capacity"],
        seats_left=row["seats_left"] if row["status"] == "scheduled" else 0, waiting=row["waiting"],
        audience=row["audience"], open_to_visitors=row["open_to_visitors"], min_age=row["min_age"],
        max_age=row["max_age"], status=row["status"], cancel_note=row["cancel_note"], course=row["course_id"])


async def staff_workshop_out(row: dict) -> WorkshopOut:
    """The public fields and, for its site's staff, seats counted, holds, trainers, the room's booking."""
    out = workshop_out(row)
    out.seats_taken, out.held_free, out.room_booking = row["seats_taken"], row["held_free"], row["room_booking_id"]
    out.holds = [HoldOut(partner=hold["partner_id"], partner_name=hold["partner_name"], seats=hold["seats"],
                         held_until=hold["held_until"], seats_taken=hold["seats_taken"], released=hold["released"])
                 for hold in await queries.holds(row["id"])]
    out.trainers = [TrainerOut(id=t["id"], name=t["name"]) for t in await queries.trainers(row["id"])]
    return out


async def shown(request: Request, row: dict) -> WorkshopOut:
    if scope.acts_for_site(request.user, row["site_id"]):
        return await staff_workshop_out(row)
    return workshop_out(row)


class PartnerController(Controller):
    path = "/api/partners"
    tags = ["workshops"]

    @get("", guards=[staff_only], cache=False,
         summary="The referring partners of a site",
         description="Staff. `site` (default: their sites): `[{id, site, name, kind, contact, active}]`.")
    async def list_partners(self, request: Request, site: FromQuery[str | None] = None) -> list[PartnerOut]:
        return [partner_out(row) for row in await queries.partners(await scope.listed_sites(request.user, site))]

    @post("", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Add a referring partner",
          description=("Staff of the site. `{site, name, kind: mission_locale|e2c|school|association|other, "
                       "contact?}`; `409 partner_exists` (same name at the site, any case)."))
    async def create(self, request: Request, data: JSONBody[PartnerIn]) -> PartnerOut:
        return partner_out(await service.create_partner(actor=request.user, site=data.site, name=data.name,
                                                        kind=data.kind, contact=data.contact))


class ParticipantController(Controller):
    path = "/api/participants"
    tags = ["workshops"]

    @get("", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="Participants of a site",
         description=("Staff. `site` (default: their sites), `q` (part of the name): first name and initial, birth "
                      "date or year, site, partner, status, `has_account` (a learner)."))
    async def list_participants(self, request: Request, site: FromQuery[str | None] = None,
                                q: FromQuery[str | None] = None) -> list[ParticipantOut]:
        site_ids = await scope.listed_sites(request.user, site)
        text = (q or "").strip()[:100] or None
        return [participant_out(row) for row in await queries.participants(site_ids, text)]

    @post("", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Add a participant without an account",
          description=("Staff of the site. `{first_name, initial?, site?, birth_date? | birth_year?, partner?, "
                       "status?}`; the name kept is \"Amina K.\". `422 partner_other_site`, `400 "
                       "birth_date_and_year`."))
    async def create(self, request: Request, data: JSONBody[ParticipantIn]) -> ParticipantOut:
        return participant_out(await service.create_participant(
            actor=request.user, first_name=data.first_name, initial=data.initial, site=data.site,
            birth_date=data.birth_date, birth_year=data.birth_year, partner_id=data.partner, status=data.status))

    @get("/{participant_id:int}", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="A participant", description="Staff of the participant's site.")
    async def one(self, request: Request, participant_id: FromPath[int]) -> ParticipantOut:
        return participant_out(await service.visible_participant(request.user, participant_id))

    @get("/{participant_id:int}/pass", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="A participant's desk pass, to print on a card",
         description=("Staff of the participant's site. The same QR payload and SVG as a learner's own pass; "
                      "scanned at a workshop's door for attendance."))
    async def participant_pass(self, request: Request, participant_id: FromPath[int],
                               settings: NamedDependency[Settings]) -> PassOut:
        await service.visible_participant(request.user, participant_id)
        token = await passes.current_pass(secret_key=settings.secret_key, user_id=participant_id)
        url = passes.pass_url(settings.base_url, token)
        return PassOut(token=token, url=url, svg=qr_svg(url), code=passes.code_for(participant_id, token))


def registration_out(sign_up: registrations.SignUp) -> RegistrationOut:
    return RegistrationOut(id=sign_up.id, workshop=sign_up.workshop_id, participant=sign_up.participant_id,
                           status=sign_up.status, seat=sign_up.seat, position=sign_up.position)


async def period(site: str | None, start: str | None, end: str | None) -> tuple[int | None, datetime | None,
                                                                                 datetime | None]:
    """`site`, and `from`/`to` as days (in the site's time) or instants; `to` a day includes it."""
    site_row = await require_site(site) if site else None
    tz = ZoneInfo(site_row["timezone"] if site_row else DEFAULT_TZ)
    starts = moments.parse_day_or_instant(start, tz, "from")[0] if start else None
    ends = moments.parse_day_or_instant(end, tz, "to")[1] if end else None
    return (site_row["id"] if site_row else None), starts, ends


class WorkshopController(Controller):
    path = "/api/workshops"
    tags = ["workshops"]

    @get("", guards=[public], cache=False,
         summary="Workshops of a site over a period (anyone)",
         description=("Anyone, signed in or not. `site`, `from`, `to` (days in the site's time, or instants; "
                      "default from now). Public fields and `seats_left`; staff of the site also see seats taken, "
                      "holds and trainers."))
    async def list_workshops(self, request: Request, site: FromQuery[str | None] = None,
                             start: Annotated[str | None, QueryParameter(name="from")] = None,
                             end: Annotated[str | None, QueryParameter(name="to")] = None) -> list[WorkshopOut]:
        site_id, starts, ends = await period(site, start, end)
        rows = await queries.workshops(site_id=site_id, starts=starts or clock.now(), ends=ends)
        return [await shown(request, row) for row in rows]

    @post("", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Create a workshop",
          description=("Staff of the site. `{site, title, starts_at, ends_at, capacity (1-500), description?, room? "
                       "(a room's tag, booked for that time: 409 booking_conflict), trainers?, min_age?, max_age?, "
                       "audience: public|referral, open_to_visitors?, course?, holds?: [{partner, seats, "
                       "held_until}]}`. `400 ends_before_start`, `invalid_holds`; `422 partner_other_site`, "
                       "`room_other_site`, `course_other_site`, `not_a_room`, `trainer_not_staff`."))
    async def create(self, request: Request, data: JSONBody[WorkshopIn]) -> WorkshopOut:
        workshop_id = await schedule.create_workshop(actor=request.user, data=data)
        return await staff_workshop_out(await queries.require_workshop(workshop_id))

    @get("/{workshop_id:int}", guards=[public], cache=False,
         summary="A workshop (anyone)", description="Public fields; staff of its site see the counts and holds too.")
    async def one(self, request: Request, workshop_id: FromPath[int]) -> WorkshopOut:
        return await shown(request, await queries.require_workshop(workshop_id))

    @patch("/{workshop_id:int}", guards=[staff_only],
           summary="Change a workshop",
           description=("Staff of its site. `{title?, description?, capacity?, min_age?, max_age?, audience?, "
                        "open_to_visitors?, course?}`; the capacity never below the seats taken and held (`409 "
                        "capacity_below_taken`); more seats go to the waiting list at once."))
    async def update(self, request: Request, workshop_id: FromPath[int], data: JSONBody[WorkshopPatch]) -> WorkshopOut:
        changes = {key: value for key in PATCHABLE if (value := getattr(data, key)) is not msgspec.UNSET}
        await schedule.update_workshop(actor=request.user, workshop_id=workshop_id, changes=changes)
        return await staff_workshop_out(await queries.require_workshop(workshop_id))

    @post("/{workshop_id:int}/cancel", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Cancel a workshop",
          description=("Staff of its site. `{note?}`: every sign-up cancelled (their people see it in the app), the "
                       "room's booking cancelled. `409 workshop_cancelled` when it already is."))
    async def cancel(self, request: Request, workshop_id: FromPath[int], data: JSONBody[CancelIn]) -> WorkshopOut:
        await schedule.cancel_workshop(actor=request.user, workshop_id=workshop_id, note=data.note)
        return await staff_workshop_out(await queries.require_workshop(workshop_id))

    @post("/{workshop_id:int}/registrations", guards=[signed_in], status_code=HTTP_201_CREATED,
          summary="Sign up for a workshop",
          description=("Signed in. `{participant?}` (none: oneself; staff of the site for a participant). `201 {id, "
                       "status: registered|waiting, seat?, position?}`: a partner's held seat first for its "
                       "participants, then an open seat, else the waiting list's end. `409 already_registered`, "
                       "`workshop_cancelled`, `workshop_over`; `403 referral_only`; `422 too_young`, "
                       "`workshop_too_old`."))
    async def register(self, request: Request, workshop_id: FromPath[int], data: JSONBody[RegistrationIn]
                       ) -> RegistrationOut:
        return registration_out(await registrations.register(actor=request.user, workshop_id=workshop_id,
                                                             participant_id=data.participant))

    @get("/{workshop_id:int}/registrations", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="A workshop's sign-ups",
         description="Staff of its site. Seats, the waiting list in order (`position`), attendance and hours.")
    async def list_registrations(self, request: Request, workshop_id: FromPath[int]) -> list[RegistrationRowOut]:
        rows = await attendance.registrations(actor=request.user, workshop_id=workshop_id)
        return [RegistrationRowOut(**row) for row in rows]

    @delete("/{workshop_id:int}/registrations/{registration_id:int}", guards=[signed_in],
            status_code=HTTP_204_NO_CONTENT,
            summary="Cancel a sign-up",
            description=("The person themselves, or staff of the site. A seat given back goes at once to the first "
                         "waiting person who may take it. `404 unknown_registration`, `409 not_cancellable`."))
    async def unregister(self, request: Request, workshop_id: FromPath[int], registration_id: FromPath[int]) -> None:
        await registrations.cancel(actor=request.user, workshop_id=workshop_id, registration_id=registration_id)

    @post("/{workshop_id:int}/attendance", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Record who came: a pass scanned or a name ticked",
          description=("Staff of its site. `{pass | participant, arrived_at?, left_at?}` (default: the workshop's "
                       "times); again for the same person corrects it. Hours count within the workshop's time. "
                       "`400 not_registered`, `pass_or_participant`, `invalid_attendance`; `404 unknown_pass`."))
    async def attend(self, request: Request, workshop_id: FromPath[int], data: JSONBody[AttendanceIn]) -> AttendanceOut:
        row = await attendance.record(actor=request.user, workshop_id=workshop_id, pass_token=data.pass_,
                                      participant_id=data.participant, arrived_at=data.arrived_at,
                                      left_at=data.left_at)
        return AttendanceOut(registration=row["registration_id"], participant=row["participant"], name=row["name"],
                             arrived_at=row["arrived_at"], left_at=row["left_at"], hours=row["hours"])


class MyWorkshopsController(Controller):
    path = "/api/me/workshops"
    tags = ["workshops"]

    @get("", guards=[signed_in], cache=False, cache_control=NO_STORE,
         summary="My workshops",
         description=("Signed in. My sign-ups for workshops not yet over: seat or place on the waiting list, "
                      "`seated_at` when the waiting list gave me a seat, cancelled ones (and the workshop's status)."))
    async def mine(self, request: Request) -> list[MyRegistrationOut]:
        out = []
        for row in await queries.my_registrations(request.user.id, clock.now()):
            workshop = workshop_out(await queries.require_workshop(row["workshop_id"]))
            out.append(MyRegistrationOut(
                id=row["id"], status=row["status"], seat=row["seat"], position=row["position"],
                seated_at=row["seated_at"], cancelled_at=row["cancelled_at"], notice=row["notice"],
                workshop=workshop))
        return out


class CourseController(Controller):
    path = "/api/courses"
    tags = ["workshops"]

    @get("", guards=[staff_only], cache=False,
         summary="The courses of a site",
         description="Staff. `site` (default: their sites): `[{id, site, title, target_hours, workshops}]`.")
    async def list_courses(self, request: Request, site: FromQuery[str | None] = None) -> list[CourseBriefOut]:
        return [CourseBriefOut(**row) for row in await queries.courses(await scope.listed_sites(request.user, site))]

    @post("", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Create a course (parcours)",
          description="Staff of the site. `{site, title, description?, target_hours? (35)}`; workshops join it by `course`.")
    async def create(self, request: Request, data: JSONBody[CourseIn]) -> CourseOut:
        course_id = await courses.create_course(actor=request.user, site=data.site, title=data.title,
                                                description=data.description, target_hours=data.target_hours)
        return course_out(await courses.course(actor=request.user, course_id=course_id))

    @get("/{course_id:int}", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="A course and each participant's hours",
         description="Staff of its site. Workshops, each participant's hours against the target, `completed` at it.")
    async def one(self, request: Request, course_id: FromPath[int]) -> CourseOut:
        return course_out(await courses.course(actor=request.user, course_id=course_id))


def course_out(row: dict) -> CourseOut:
    return CourseOut(
        id=row["id"], site=row["site"], title=row["title"], description=row["description"],
        target_hours=row["target_hours"], started=row["started"], completed=row["completed"],
        workshops=[CourseWorkshopOut(**w) for w in row["workshops"]],
        participants=[CourseProgressOut(**p) for p in row["participants"]])


ROUTES: list = [PartnerController, ParticipantController, WorkshopController, MyWorkshopsController, CourseController]
JOBS: list = [PeriodicJob("workshop-holds", 60, closures.release_due_holds)]
REMINDER_SOURCES = notices.REMINDER_SOURCES  # a sign-up's notices by e-mail (fablab/domain/reminder_types.py)
CLOSURE_EFFECTS: list[ClosureEffect] = [closures.CLOSURE_EFFECT]
FEED_EVENTS = (feed_events.FEED_EVENTS,)  # its events in the calendar feeds (fablab/hooks/feed_events.py)
