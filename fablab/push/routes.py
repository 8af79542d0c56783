"""HTTP routes of the push domain: the VAPID public key, and the caller's phones that get notifications."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, post
from litestar.params import FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fablab.domain import codes
from fablab.domain.errors import DomainError, NotFound
from fablab.platform.guards import public, signed_in
from fablab.push import service
from fablab.push.schemas import PushKeyOut, PushSubscriptionIn, PushSubscriptionOut, PushTestOut
from fablab.push.settings import PushSettings, push_settings
from fablab.platform.settings import SettingsError


class PushUnavailable(DomainError):
    status, code, title = 503, codes.PUSH_UNAVAILABLE, "Notifications are not available on this server"


def settings_or_503() -> PushSettings:
    try:
        return push_settings()
    except SettingsError as error:
        raise PushUnavailable(str(error)) from None


class PushKeyController(Controller):
    path = "/api/push"
    tags = ["push"]

    @get("/key", guards=[public], summary="The VAPID public key (the app's applicationServerKey)",
         description="Anyone. `{public_key}`, base64url.")
    async def key(self) -> PushKeyOut:
        return PushKeyOut(public_key=settings_or_503().public_key)


class PushSubscriptionController(Controller):
    path = "/api/me/push-subscriptions"
    tags = ["push"]

    @get("/", guards=[signed_in], cache=False, summary="My phones that receive notifications",
         description="Signed in. `[{endpoint, lang, created_at, this_device}]`.")
    async def mine(self, request: Request) -> list[PushSubscriptionOut]:
        return [PushSubscriptionOut(**row) for row in await service.subscriptions(actor=request.user)]

    @post("/", guards=[signed_in], status_code=HTTP_201_CREATED,
          summary="This phone receives my reminders (the browser's PushSubscription)",
          description=("Signed in. `{endpoint, keys: {p256dh, auth}, expirationTime?, lang?}`; `201`. The same "
                       "endpoint again updates it and moves it to whoever is signed in. `400 "
                       "push_endpoint_not_allowed` unless the endpoint is `https` on a push service host (the "
                       "server never posts to an address a user chose); `400 invalid_push_keys`. At most 10 phones "
                       "per user (the oldest go)."))
    async def subscribe(self, request: Request, data: JSONBody[PushSubscriptionIn]) -> PushSubscriptionOut:
        """Only endpoints of the Google, Mozilla, Apple and Microsoft push services are accepted
        (`400 push_endpoint_not_allowed`); the same endpoint again updates its keys and owner."""
        row = await service.subscribe(actor=request.user, endpoint=data.endpoint, p256dh=data.keys.p256dh,
                                      auth=data.keys.auth, lang=data.lang, settings=settings_or_503())
        return PushSubscriptionOut(endpoint=row["endpoint"], lang=row["lang"], created_at=row["created_at"],
                                   this_device=True)

    @delete("/", guards=[signed_in], status_code=HTTP_204_NO_CONTENT,
            summary="This phone stops receiving my reminders",
            description=("Signed in. `endpoint`; `204`; `404 unknown_push_subscription` when none of my phones has "
                         "it."))
    async def unsubscribe(self, request: Request, endpoint: FromQuery[str]) -> None:
        if not await service.unsubscribe(actor=request.user, endpoint=endpoint):
            raise NotFound("None of your phones has this endpoint.", code=codes.UNKNOWN_PUSH_SUBSCRIPTION)

    @post("/test", guards=[signed_in], status_code=HTTP_200_OK,
          summary="Send a test notification to each of my phones now",
          description="Signed in. `{sent, removed, failed}`; `409 push_not_subscribed`.")
    async def test(self, request: Request) -> PushTestOut:
        return PushTestOut(**await service.send_test(actor=request.user, settings=settings_or_503()))


ROUTES: list = [PushKeyController, PushSubscriptionController]
JOBS: list = []  # delivery rides on the reminders job (fablab/reports/reminders.py), planned once
