"""HTTP routes of the accounts domain: sign-in, own account, invites, user management, the retention setting.

What ends or erases a person's access and data across domains is fablab/people/routes.py's."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import CacheControlHeader, Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fablab.accounts import csvio, devices, invites, passes, privacy, queries, service, throttle, trainings, users
from fablab.accounts.current import SESSION_COOKIE, CurrentUser
from fablab.accounts.training_validity import Validity
from fablab.accounts.qr import qr_svg
from fablab.accounts.schemas import (
    AcceptInviteIn, CertificationIn, CertificationOut, TrainingValidityIn, CohortInviteOut, CohortInvitesIn, CohortInvitesOut, CreatedUserOut, ImportOut,
    InvitedUserOut, InviteInfoOut, InviteOut, LoginIn, PassHolderOut, PassOut, RetentionIn,
    RetentionOut, TrainingIn, TrainingOut, UserDetail, UserIn, UserListItem, UserOut,
)
from fablab.platform.background import PeriodicJob
from fablab.accounts import scope
from fablab.domain import codes
from fablab.hooks import admission
from fablab.domain.errors import Forbidden, InvalidInput, NotFound
from fablab.platform.guards import admin_only, public, signed_in, staff_only
from fablab.platform.settings import Settings
from fablab.sites import queries as site_queries
from fablab.domain.vocabulary import ACCOUNT_ROLES
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

    @post("/auth/login", guards=[public], status_code=HTTP_200_OK,
          summary="Sign in",
          description=("Anyone. `200` with the user and the session cookie; `401 invalid_credentials`. `429 "
                       "too_many_attempts` with `Retry-After` and, in the body, `retry_after` and `scope`: "
                       "`account` (after 5 free failures each one doubles the wait, 10 s up to 15 min; a right "
                       "password or a staff unlock clears it; an account is never locked) or `address` (over 200 "
                       "failures from one address in 15 min). Logins are folded (NFKC, case folded, trimmed). "
                       "Throttling lives in PostgreSQL, so it holds across workers."))
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

    @post("/auth/logout", guards=[signed_in], status_code=HTTP_204_NO_CONTENT,
          summary="Sign out",
          description=("Signed in. `204`; the session ends on every worker at once, and the push subscriptions made "
                       "in it are deleted."))
    async def logout(self, request: Request, settings: NamedDependency[Settings]) -> Response[None]:
        user: CurrentUser = request.user
        await service.logout(session_id=user.session_id)
        return Response(None, status_code=HTTP_204_NO_CONTENT, cookies=[session_cookie(settings, "", 0)])

    @get("/me", guards=[signed_in],
         summary="Who I am",
         description=("Signed in. `{id, login, name, role, site, sites, …}`; `sites` lists the slugs a staff "
                      "account acts for (an admin: every site; a learner: `[]`)."))
    async def me(self, request: Request) -> UserOut:
        return UserOut(**await service.user_out(request.user.id))

    @get("/me/pass", guards=[signed_in], cache=False, cache_control=NO_STORE,
         summary="My desk pass",
         description=("Signed in. The pass's QR payload and its SVG, shown at the desk so staff can find the "
                      "learner by scanning it."))
    async def my_pass(self, request: Request, settings: NamedDependency[Settings]) -> PassOut:
        """The learner's desk pass; the same until rotated, so the phone may keep showing it offline."""
        token = await passes.current_pass(secret_key=settings.secret_key, user_id=request.user.id)
        url = passes.pass_url(settings.base_url, token)
        return PassOut(token=token, url=url, svg=qr_svg(url), code=passes.code_for(request.user.id, token))

    @post("/me/pass/rotate", guards=[signed_in], status_code=HTTP_200_OK,
          summary="A new desk pass",
          description=("Signed in. Rotating voids the old pass at once (`GET /api/users/by-pass/{token}` no longer "
                       "knows it)."))
    async def rotate_pass(self, request: Request, settings: NamedDependency[Settings]) -> PassOut:
        token = await passes.rotate_pass(secret_key=settings.secret_key, user_id=request.user.id)
        url = passes.pass_url(settings.base_url, token)
        return PassOut(token=token, url=url, svg=qr_svg(url), code=passes.code_for(request.user.id, token))

    @get("/trainings", guards=[signed_in],
         summary="The trainings",
         description="Signed in. Trainings such as \"Impression 3D – bases\"; a booking policy may require one.")
    async def trainings(self) -> list[TrainingOut]:
        return [TrainingOut(**row) for row in await queries.trainings()]

    @post("/trainings", guards=[admin_only], status_code=HTTP_201_CREATED,
          summary="Add a training",
          description="Admin. `{name, description}`; `409 training_exists` when the name is taken.")
    async def create_training(self, data: JSONBody[TrainingIn]) -> TrainingOut:
        """A new training (staff then grant it to learners, POST /api/users/{id}/certifications)."""
        return TrainingOut(**await trainings.create_training(name=data.name, description=data.description))

    @put("/trainings/{training_id:int}/validity", guards=[admin_only],
         summary="Set how long a training stays valid",
         description=("Admin. `{validity: forever|days|until|idle, valid_days, valid_until, idle_days}`: for ever, "
                      "`valid_days` after each grant, until `valid_until` (a date, included), or until `idle_days` "
                      "without booking what it unlocks. Granting again renews. `400 invalid_validity`."))
    async def set_training_validity(self, training_id: FromPath[int], data: JSONBody[TrainingValidityIn]) -> TrainingOut:
        rule = Validity(validity=data.validity, valid_days=data.valid_days, valid_until=data.valid_until,
                        idle_days=data.idle_days)
        return TrainingOut(**await trainings.set_validity(training_id=training_id, rule=rule))

    @get("/me/trainings", guards=[signed_in], cache=False,
         summary="My trainings and when each ends",
         description=("Signed in. Each training granted to me: `ends_at` (null: never), `expired`, `ends_soon` "
                      "(within two weeks), `last_used_at` (my last booking of what it unlocks)."))
    async def my_trainings(self, request: Request) -> list[CertificationOut]:
        return [msgspec.convert(row, CertificationOut) for row in await queries.certifications(request.user.id)]


class InviteController(Controller):
    """Opened from the invite link on the learner's phone: the token is the credential."""

    path = "/api/invites"
    tags = ["accounts"]

    @get("/{token:str}", guards=[public], cache=False, cache_control=NO_STORE,
         summary="Whom a one-time invite is for",
         description=("Anyone with the link. Unknown, expired or used: `404 unknown_invite`, the same answer for "
                      "all three."))
    async def show(self, token: FromPath[str]) -> InviteInfoOut:
        return InviteInfoOut(**await invites.describe(token))

    @post("/{token:str}/accept", guards=[public], status_code=HTTP_200_OK,
          summary="Accept an invite: set the password",
          description=("Anyone with the link. `{password}`, judged by zxcvbn: learners need a score of 2 (about a "
                       "million guesses), staff and admins 3 and 10 characters. `400 weak_password` names a "
                       "`reason`: `guessable`, `too_short`, `invisible`, `control_character`, `login_based`, "
                       "`too_long`. Unknown, expired or used: `404 unknown_invite`."))
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
            if role not in ACCOUNT_ROLES:
                raise InvalidInput("role must be learner, staff or admin.", code=codes.INVALID_ROLE)
            if role not in roles:
                raise Forbidden("Staff see learners only.", code=codes.ROLE_NOT_ALLOWED)
            roles = (role,)
        # Staff see the learners of their sites (all of them unless they name one); admins everyone.
        return await queries.list_users(site_ids=await scope.listed_sites(actor, site), roles=roles, q=q)

    @get("/", guards=[staff_only],
         summary="Accounts",
         description=("Staff: the learners of their sites (or of the site named, `403 not_your_site` elsewhere); "
                      "admins: anyone. Filters `site`, `role`, `q`; the list is bounded."))
    async def list_users(self, request: Request, site: FromQuery[str | None] = None,
                         role: FromQuery[str | None] = None, q: FromQuery[str | None] = None) -> list[UserListItem]:
        rows = await self._listing(request, site, role, q)
        return [msgspec.convert(row, UserListItem) for row in rows]

    @get("/export.csv", guards=[staff_only], media_type="text/csv", cache_control=NO_STORE,
         summary="Accounts as CSV",
         description=("Staff, for their sites. Every cell is quoted and a formula start (`= + - @`, tab) is "
                      "neutralised with an apostrophe, also after a separator inside a cell; imports take the "
                      "apostrophe off again."))
    async def export(self, request: Request, site: FromQuery[str | None] = None,
                     role: FromQuery[str | None] = None, q: FromQuery[str | None] = None) -> Response[str]:
        rows = await self._listing(request, site, role, q)
        today = await site_queries.site_today(site, request.user.site)
        name = f"comptes-{site or request.user.site or 'tous'}-{today.isoformat()}.csv"
        return Response(csvio.export_users(rows), media_type="text/csv",
                        headers=attachment(name))

    @post("/", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Create an account, with its invite",
          description=("Staff create learners of their sites (admins: any role). `{name, login, site, cohort, "
                       "role}`; the answer carries the invite link and its QR code. `404 unknown_site`; a login is "
                       "2–64 characters of `a-z 0-9 . - _` after folding."))
    async def create(self, request: Request, data: JSONBody[UserIn], settings: NamedDependency[Settings]) -> CreatedUserOut:
        user_id, token, expires_at = await users.create(
            actor=request.user, name=data.name, login=data.login, role=data.role, site=data.site, cohort=data.cohort)
        return CreatedUserOut(user=await user_detail(user_id), invite=invite_out(settings, token, expires_at))

    @post("/import", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Import a cohort from CSV",
          description=("Staff. CSV body `name,login,site,cohort` (or the French `nom;identifiant;site;promotion`); "
                       "the site by its code or its name as shown; `site` (query) is where rows without one go "
                       "(default: the staff member's home site). A per-line report (each created row with its "
                       "name, cohort and invite, each refused line with its reason)."))
    async def import_cohort(self, request: Request, settings: NamedDependency[Settings],
                            site: FromQuery[str | None] = None) -> ImportOut:
        """The CSV file as the request body (columns name, login, site, cohort, or nom, identifiant,
        site, promotion); each row on its own; `site`: where rows without one go (default: home)."""
        raw = await request.body()
        if len(raw) > MAX_CSV_BYTES:
            raise InvalidInput("The CSV file must be 1 MB at most.", code=codes.FILE_TOO_LARGE)
        results = await users.import_cohort(actor=request.user, rows=csvio.parse_cohort(raw), site=site)
        for result in results:
            if result["status"] == "created":
                result["invite"] = invite_out(settings, result.pop("token"), result.pop("expires_at"))
        created = sum(result["status"] == "created" for result in results)
        return msgspec.convert(
            {"created": created, "errors": len(results) - created, "rows": results}, ImportOut, from_attributes=True)

    @post("/invites", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="New invites for a cohort, to print as one sheet",
          description=("Staff. `{cohort, site?}`: new invites for the cohort's learners who have not activated "
                       "their account; their older invites stop working. At most 300 (`400 cohort_too_large`)."))
    async def cohort_invites(self, request: Request, data: JSONBody[CohortInvitesIn],
                             settings: NamedDependency[Settings]) -> CohortInvitesOut:
        """New invites for a cohort's learners who have not activated their account, as one sheet to
        print (older invites of theirs stop working)."""
        sheet = await users.cohort_invites(actor=request.user, cohort=data.cohort.strip(), site=data.site)
        return CohortInvitesOut(cohort=data.cohort.strip(), invites=[
            CohortInviteOut(user=msgspec.convert(entry["user"], InvitedUserOut),
                            invite=invite_out(settings, entry["token"], entry["expires_at"])) for entry in sheet])

    @get("/by-pass/{token:str}", guards=[staff_only], cache=False, cache_control=NO_STORE,
         summary="Who shows this pass at the desk",
         description=("Staff. The person whose current desk pass this is: a learner of their sites in full; a "
                      "learner of another site visiting (`visiting: true`) by name, login and home site only, to "
                      "whom the desk may lend its own items; `404 unknown_pass` for an unknown pass, one replaced "
                      "by a newer one, or another staff member's."))
    async def by_pass(self, request: Request, token: FromPath[str]) -> PassHolderOut:
        """Who is this? From the pass QR a learner shows at the desk."""
        user_id = await passes.user_id_for_pass(token)
        holder = None if user_id is None else await queries.user_row(user_id)
        if holder is not None and (users.can_manage(request.user, holder) or holder["id"] == request.user.id):
            return msgspec.convert(await users.detail(user_id), PassHolderOut)
        # A pass is shown in person: its holder is at this desk, and may borrow here (issue 28). What
        # staff of another site learn is only who stands before them, never a list (issue 26).
        if holder is not None and holder["role"] == "learner":
            home = await site_queries.find_site(holder["site"]) if holder["site"] else None
            return PassHolderOut(id=holder["id"], login=holder["login"], name=holder["name"], role="learner",
                                 site=holder["site"], cohort="", certifications=[], visiting=True,
                                 site_name=home["name"] if home else "")
        raise NotFound("This pass is unknown or was replaced by a newer one.", code=codes.UNKNOWN_PASS)

    @post("/{user_id:int}/unlock", guards=[staff_only], status_code=HTTP_200_OK,
          summary="Forget an account's failed sign-ins",
          description=("Staff of the learner's site, admins: the learner at the desk with their pass can try again "
                       "at once."))
    async def unlock(self, request: Request, user_id: FromPath[int]) -> UserDetail:
        """Forget the account's failed sign-ins (the delay they imposed ends now)."""
        await users.unlock(actor=request.user, user_id=user_id)
        return await user_detail(user_id)

    @post("/{user_id:int}/certifications", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="Certify a learner for a training",
          description="Staff of the learner's site, admins. `{training_id}`.")
    async def certify(self, request: Request, user_id: FromPath[int], data: JSONBody[CertificationIn]) -> UserDetail:
        await users.certify(actor=request.user, user_id=user_id, training_id=data.training_id,
                            expires_at=data.expires_at)
        return await user_detail(user_id)

    @delete("/{user_id:int}/certifications/{training_id:int}", guards=[staff_only], status_code=HTTP_204_NO_CONTENT,
            summary="Withdraw a learner's training",
            description="Staff of the learner's site, admins.")
    async def uncertify(self, request: Request, user_id: FromPath[int], training_id: FromPath[int]) -> None:
        await users.uncertify(actor=request.user, user_id=user_id, training_id=training_id)


class AdminController(Controller):
    path = "/api/admin"
    tags = ["admin"]

    @get("/retention", guards=[admin_only],
         summary="How long personal data of old bookings is kept",
         description="Admin. The retention period after which finished bookings are anonymised (GDPR).")
    async def get_retention(self) -> RetentionOut:
        days, is_default = await privacy.retention()
        return RetentionOut(days=days, is_default=is_default)

    @put("/retention", guards=[admin_only],
         summary="Set the retention period",
         description=("Admin. How long personal data of finished bookings is kept before the periodic job "
                      "anonymises it."))
    async def set_retention(self, data: JSONBody[RetentionIn]) -> RetentionOut:
        await privacy.set_retention(data.days)
        return RetentionOut(days=data.days, is_default=False)


async def sweep_sign_in_records() -> None:
    await throttle.sweep()
    await service.sweep_sessions()


ROUTES = [AuthController, InviteController, UserController, AdminController]
# A training that lapsed refuses what it unlocks (fablab/hooks/admission.py).
ADMISSION = [admission.Check(trainings.refuse_lapsed_training, trainings.may_have_lapsed)]

JOBS = [
    PeriodicJob("accounts.sweep", 3600, sweep_sign_in_records),
]
