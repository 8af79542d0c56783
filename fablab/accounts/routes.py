"""HTTP routes of the accounts domain: login, logout, me."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from fablab.accounts import service
from fablab.accounts.current import SESSION_COOKIE, CurrentUser
from fablab.accounts.schemas import LoginIn, UserOut
from fablab.guards import public, signed_in
from fablab.settings import Settings


def session_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE, value=value, max_age=max_age, path="/", httponly=True,
        samesite="lax", secure=settings.https,
    )


class AuthController(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/auth/login", guards=[public], status_code=HTTP_200_OK)
    async def login(self, data: JSONBody[LoginIn], settings: NamedDependency[Settings]) -> Response[UserOut]:
        user, token = await service.login(
            login=data.login, password=data.password, session_hours=settings.session_hours,
        )
        return Response(
            UserOut(**user),
            cookies=[session_cookie(settings, token, settings.session_hours * 3600)],
        )

    @post("/auth/logout", guards=[signed_in], status_code=HTTP_204_NO_CONTENT)
    async def logout(self, request: Request, settings: NamedDependency[Settings]) -> Response[None]:
        user: CurrentUser = request.user
        await service.logout(session_id=user.session_id)
        return Response(None, status_code=HTTP_204_NO_CONTENT, cookies=[session_cookie(settings, "", 0)])

    @get("/me", guards=[signed_in])
    async def me(self, request: Request) -> UserOut:
        return UserOut(**await service.user_out(request.user.id))


ROUTES = [AuthController]
