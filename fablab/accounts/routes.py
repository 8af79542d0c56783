"""HTTP routes of the accounts domain: sign-in, own account, invites, user management, privacy."""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import CacheControlHeader, Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fablab.accounts import csvio, devices, invites, passes, privacy, queries, service, throttle, trainings, users
from fablab.accounts.current import SESSION_COOKIE, CurrentUser
from fablab.accounts.qr import qr_svg
from fablab.accounts.schemas import (
    AcceptInviteIn, CertificationIn, CohortInviteOut, CohortInvitesIn, CohortInvitesOut, CreatedUserOut, ImportOut,
    InvitedUserOut, InviteInfoOut, InviteOut, LoginIn, PassHolderOut, PassOut, PersonalDataOut, RetentionIn,
    RetentionOut, SitesIn, TrainingIn, TrainingOut, UserDetail, UserIn, UserListItem, UserOut, UserPatch,
)
from fablab.background import PeriodicJob
from fablab import codes, scope
from fablab.errors import Forbidden, InvalidInput, NotFound
from fablab.guards import admin_only, public, signed_in, staff_only
from fablab.settings import Settings
from fablab.vocabulary import ROLES
from fablab.web.download import attachment

MAX_CSV_BYTES = 1024 * 1024
# Personal answers (a pass, a GDPR export, a list of people, an invite): no copy in any cache,
# the browser's included (a shared computer at the desk).
NO_STORE = CacheControlHeader(no_store=True)


def session_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE, value=value, max_age=max_age, path="/", httponly=True,
        samesite="lax", secure=settings.https,
    )


def device_cookie(settings: Settings, value: str) -> Cookie:
    # Kept across sign-outs on purpose: it is what makes this browser a known one next time.
    return Cookie(key=devices.DEVICE_COOKIE, value=value, max_age=devices.MAX_AGE, path=devices.DEVICE_COOKIE_PATH,
                  httponly=True, samesite="strict", secure=settings.https)


def client_address(request: Request) -> str:
    # The socket peer, or a trusted proxy's X-Forwarded-For as uvicorn applied it; a header
    # sent by the client itself never gets here, so it cannot reset its throttling count.
    return request.client.host if request.client else "unknown"


async def user_detail(user_id: int) -> UserDetail:
    return msgspec.convert(await users.detail(user_id), UserDetail)


def invite_out(settings: Settings, token: str, expires_at) -> InviteOut:
    return InviteOut(**invites.invite_payload(settings.base_url, token, expires_at))


class AuthController(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/auth/login", guards=[public], status_code=HTTP_200_OK)
    async def login(self, request: Request, data: JSONBody[LoginIn], settings: NamedDependency[Settings]) -> Response[UserOut]:
        user, token, device = await service.login(
            login=data.login, password=data.password, address=client_address(request),
            session_hours=settings.session_hours, secret_key=settings.secret_key,
            device_cookie=request.cookies.get(devices.DEVICE_COOKIE),
        )
        if request.user is not None:  # signing in again (maybe as someone else) ends the old session
            await service.logout(session_id=request.user.session_id)
        return Response(
            UserOut(**user),
            cookies=[session_cookie(settings, token, settings.session_hours * 3600), device_cookie(settings, device)],
        )

    @post("/auth/logout", guards=[signed_in], status_code=HTTP_204_NO_CONTENT)
    async def logout(self, request: Request, settings: NamedDependency[Settings]) -> Response[None]:
        user: CurrentUser = request.user
        await service.logout(session_id=user.session_id)
        return Response(None, status_code=HTTP_204_NO_CONTENT, cookies=[session_cookie(settings, "", 0)])

    @get("/me", guards=[signed_in])
    async def me(self, request: Request) -> UserOut:
        return UserOut(**await service.user_out(request.user.id))

    @get("/me/pass", guards=[signed_in], cache=False, cache_control=NO_STORE)
    async def my_pass(self, request: Request, settings: NamedDependency[Settings]) -> PassOut:
        """The learner's desk pass; the same until rotated, so the phone may keep showing it offline."""
        token = await passes.current_pass(secret_key=settings.secret_key, user_id=request.user.id)
        url = passes.pass_url(settings.base_url, token)
        return PassOut(token=token, url=url, svg=qr_svg(url))

    @post("/me/pass/rotate", guards=[signed_in], status_code=HTTP_200_OK)
    async def rotate_pass(self, request: Request, settings: NamedDependency[Settings]) -> PassOut:
        token = await passes.rotate_pass(secret_key=settings.secret_key, user_id=request.user.id)
        url = passes.pass_url(settings.base_url, token)
        return PassOut(token=token, url=url, svg=qr_svg(url))

    @get("/me/data", guards=[signed_in], cache=False, cache_control=NO_STORE)
    async def my_data(self, request: Request) -> Response[PersonalDataOut]:
        """Everything stored about me, as a JSON download (GDPR right of access)."""
        data = await privacy.personal_data(request.user.id)
        name = f"fablab-{request.user.login}-{date.today().isoformat()}.json"
        return Response(msgspec.convert(data, PersonalDataOut), headers=attachment(name))

    @get("/trainings", guards=[signed_in])
    async def trainings(self) -> list[TrainingOut]:
        return [TrainingOut(**row) for row in await queries.trainings()]

    @post("/trainings", guards=[admin_only], status_code=HTTP_201_CREATED)
    async def create_training(self, data: JSONBody[TrainingIn]) -> TrainingOut:
        """A new training (staff then grant it to learners, POST /api/users/{id}/certifications)."""
        return TrainingOut(**await trainings.create_training(name=data.name, description=data.description))


class InviteController(Controller):
    """Opened from the invite link on the learner's phone: the token is the credential."""

    path = "/api/invites"
    tags = ["accounts"]

    @get("/{token:str}", guards=[public], cache=False, cache_control=NO_STORE)
    async def show(self, token: FromPath[str]) -> InviteInfoOut:
        return InviteInfoOut(**await invites.describe(token))

    @post("/{token:str}/accept", guards=[public], status_code=HTTP_200_OK)
    async def accept(self, token: FromPath[str], data: JSONBody[AcceptInviteIn],
                     settings: NamedDependency[Settings]) -> Response[UserOut]:
        user_id, session_token = await invites.accept(
            token=token, password=data.password, session_hours=settings.session_hours)
        return Response(
            UserOut(**await service.user_out(user_id)),
            cookies=[session_cookie(settings, session_token, settings.session_hours * 3600)],
        )


class UserController(Controller):
    """Staff manage learners of their site; admins manage everyone (rules in accounts.users)."""

    path = "/api/users"
    tags = ["users"]

    async def _listing(self, request: Request, site: str | None, role: str | None, q: str | None) -> list[dict]:
        actor: CurrentUser = request.user
        roles = users.visible_roles(actor)
        if role is not None:
            if role not in ROLES:
                raise InvalidInput("role must be learner, staff or admin.", code=codes.INVALID_ROLE)
            if role not in roles:
                raise Forbidden("Staff see learners only.", code=codes.ROLE_NOT_ALLOWED)
            roles = (role,)
        # Staff see the learners of their sites (all of them unless they name one); admins everyone.
        return await queries.list_users(site_ids=await scope.listed_sites(actor, site), roles=roles, q=q)

    @get("/", guards=[staff_only])
    async def list_users(self, request: Request, site: FromQuery[str | None] = None,
                         role: FromQuery[str | None] = None, q: FromQuery[str | None] = None) -> list[UserListItem]:
        rows = await self._listing(request, site, role, q)
        return [msgspec.convert(row, UserListItem) for row in rows]

    @get("/export.csv", guards=[staff_only], media_type="text/csv", cache_control=NO_STORE)
    async def export(self, request: Request, site: FromQuery[str | None] = None,
                     role: FromQuery[str | None] = None, q: FromQuery[str | None] = None) -> Response[str]:
        rows = await self._listing(request, site, role, q)
        name = f"comptes-{site or request.user.site or 'tous'}-{date.today().isoformat()}.csv"
        return Response(csvio.export_users(rows), media_type="text/csv",
                        headers=attachment(name))

    @post("/", guards=[staff_only], status_code=HTTP_201_CREATED)
    async def create(self, request: Request, data: JSONBody[UserIn], settings: NamedDependency[Settings]) -> CreatedUserOut:
        user_id, token, expires_at = await users.create(
            actor=request.user, name=data.name, login=data.login, role=data.role, site=data.site, cohort=data.cohort)
        return CreatedUserOut(user=await user_detail(user_id), invite=invite_out(settings, token, expires_at))

    @post("/import", guards=[staff_only], status_code=HTTP_200_OK)
    async def import_cohort(self, request: Request, settings: NamedDependency[Settings]) -> ImportOut:
        """The CSV file as the request body (columns name, login, site, cohort); each row on its own."""
        raw = await request.body()
        if len(raw) > MAX_CSV_BYTES:
            raise InvalidInput("The CSV file must be 1 MB at most.", code=codes.FILE_TOO_LARGE)
        results = await users.import_cohort(actor=request.user, rows=csvio.parse_cohort(raw))
        for result in results:
            if result["status"] == "created":
                result["invite"] = invite_out(settings, result.pop("token"), result.pop("expires_at"))
        created = sum(result["status"] == "created" for result in results)
        return msgspec.convert(
            {"created": created, "errors": len(results) - created, "rows": results}, ImportOut, from_attributes=True)

    @post("/invites", guards=[staff_only], status_code=HTTP_201_CREATED)
    async def cohort_invites(self, request: Request, data: JSONBody[CohortInvitesIn],
                             settings: NamedDependency[Settings]) -> CohortInvitesOut:
        """New invites for a cohort's learners who have not activated their account, as one sheet to
        print (older invites of theirs stop working)."""
        sheet = await users.cohort_invites(actor=request.user, cohort=data.cohort.strip(), site=data.site)
        return CohortInvitesOut(cohort=data.cohort.strip(), invites=[
            CohortInviteOut(user=msgspec.convert(entry["user"], InvitedUserOut),
                            invite=invite_out(settings, entry["token"], entry["expires_at"])) for entry in sheet])

    @get("/by-pass/{token:str}", guards=[staff_only], cache=False, cache_control=NO_STORE)
    async def by_pass(self, request: Request, token: FromPath[str]) -> PassHolderOut:
        """Who is this? From the pass QR a learner shows at the desk (a learner of the staff's sites)."""
        user_id = await passes.user_id_for_pass(token)
        holder = None if user_id is None else await queries.user_row(user_id)
        # Another site's learner's pass gets the unknown pass's answer (issue 26): nothing to tell apart.
        if holder is None or not users.can_manage(request.user, holder) and holder["id"] != request.user.id:
            raise NotFound("This pass is unknown or was replaced by a newer one.", code=codes.UNKNOWN_PASS)
        return msgspec.convert(await users.detail(user_id), PassHolderOut)

    @get("/{user_id:int}", guards=[staff_only])
    async def show(self, request: Request, user_id: FromPath[int]) -> UserDetail:
        await users.target(request.user, user_id, manage=False)
        return await user_detail(user_id)

    @patch("/{user_id:int}", guards=[staff_only])
    async def update(self, request: Request, user_id: FromPath[int], data: JSONBody[UserPatch]) -> UserDetail:
        changes = {key: value for key, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
        await users.update(actor=request.user, user_id=user_id, changes=changes)
        return await user_detail(user_id)

    @put("/{user_id:int}/sites", guards=[admin_only], status_code=HTTP_200_OK)
    async def grant_sites(self, user_id: FromPath[int], data: JSONBody[SitesIn]) -> UserDetail:
        """The sites a staff account acts for; its writes and its reads of people stay within them."""
        await users.grant_sites(user_id=user_id, sites=data.sites)
        return await user_detail(user_id)

    @post("/{user_id:int}/deactivate", guards=[staff_only], status_code=HTTP_200_OK)
    async def deactivate(self, request: Request, user_id: FromPath[int]) -> UserDetail:
        await users.deactivate(actor=request.user, user_id=user_id)
        return await user_detail(user_id)

    @post("/{user_id:int}/unlock", guards=[staff_only], status_code=HTTP_200_OK)
    async def unlock(self, request: Request, user_id: FromPath[int]) -> UserDetail:
        """Forget the account's failed sign-ins (the delay they imposed ends now)."""
        await users.unlock(actor=request.user, user_id=user_id)
        return await user_detail(user_id)

    @post("/{user_id:int}/invite", guards=[staff_only], status_code=HTTP_201_CREATED)
    async def invite(self, request: Request, user_id: FromPath[int], settings: NamedDependency[Settings]) -> InviteOut:
        """A new one-time invite (older ones stop working): to activate or to reset access."""
        token, expires_at = await users.new_invite(actor=request.user, user_id=user_id)
        return invite_out(settings, token, expires_at)

    @post("/{user_id:int}/certifications", guards=[staff_only], status_code=HTTP_201_CREATED)
    async def certify(self, request: Request, user_id: FromPath[int], data: JSONBody[CertificationIn]) -> UserDetail:
        await users.certify(actor=request.user, user_id=user_id, training_id=data.training_id,
                            expires_at=data.expires_at)
        return await user_detail(user_id)

    @delete("/{user_id:int}/certifications/{training_id:int}", guards=[staff_only], status_code=HTTP_204_NO_CONTENT)
    async def uncertify(self, request: Request, user_id: FromPath[int], training_id: FromPath[int]) -> None:
        await users.uncertify(actor=request.user, user_id=user_id, training_id=training_id)


class AdminController(Controller):
    path = "/api/admin"
    tags = ["admin"]

    @get("/retention", guards=[admin_only])
    async def get_retention(self) -> RetentionOut:
        days, is_default = await privacy.retention()
        return RetentionOut(days=days, is_default=is_default)

    @put("/retention", guards=[admin_only])
    async def set_retention(self, data: JSONBody[RetentionIn]) -> RetentionOut:
        await privacy.set_retention(data.days)
        return RetentionOut(days=data.days, is_default=False)


async def sweep_sign_in_records() -> None:
    await throttle.sweep()
    await service.sweep_sessions()


async def anonymise_old_records() -> None:
    await privacy.anonymise_expired()


ROUTES = [AuthController, InviteController, UserController, AdminController]

JOBS = [
    PeriodicJob("accounts.sweep", 3600, sweep_sign_in_records),
    PeriodicJob("accounts.anonymise", 6 * 3600, anonymise_old_records),
]
