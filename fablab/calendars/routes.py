"""HTTP routes of the calendars domain: the .ics feeds and their subscribe links."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Controller, Request, Response, get, head, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.status_codes import HTTP_201_CREATED, HTTP_304_NOT_MODIFIED

from fablab.accounts import scope
from fablab.domain import codes
from fablab.calendars import feeds, queries, service
from fablab.calendars.conditional import http_date, not_modified
from fablab.calendars.content import KIND_LABELS
from fablab.calendars.feeds import FEED_NOT_FOUND, RenderedFeed
from fablab.calendars.schemas import FeedLinkOut, FeedsOut, PrivateFeedOut, PublicFeedOut
from fablab.domain.errors import InvalidInput, NotFound
from fablab.platform.guards import public, signed_in, staff_only
from fablab.platform.settings import Settings
from fablab.sites.queries import find_site
from fablab.domain.vocabulary import KINDS

ICS_MEDIA_TYPE = "text/calendar"  # Litestar appends "; charset=utf-8" to text/ types
# Calendar apps poll hourly at most (REFRESH-INTERVAL); five minutes of shared caching is harmless.
PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, max-age=300"


def feed_name(file: str) -> str:
    """The name in "vlg.ics". Litestar path parameters are whole segments: the suffix is ours to check."""
    if not file.endswith(".ics") or len(file) <= len(".ics"):
        raise NotFound(FEED_NOT_FOUND)
    return file[: -len(".ics")]


def feed_response(request: Request, feed: RenderedFeed) -> Response:
    headers = {
        "ETag": feed.etag,
        "Last-Modified": http_date(feed.last_modified),
        "Cache-Control": PRIVATE_CACHE if feed.private else PUBLIC_CACHE,
    }
    if feed.private:
        headers["X-Robots-Tag"] = "noindex"
    if not_modified(request.headers.get("if-none-match"), request.headers.get("if-modified-since"),
                    feed.etag, feed.last_modified):
        return Response(content=b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    # No Content-Disposition: subscribing apps want the body inline, browsers may show it.
    return Response(content=feed.body, media_type=ICS_MEDIA_TYPE, headers=headers)


GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r?cid="


def feed_links(settings: Settings, path: str) -> FeedLinkOut:
    https = f"{settings.base_url}{path}"
    return FeedLinkOut(https=https, webcal="webcal://" + https.split("://", 1)[1],
                       google=GOOGLE_SUBSCRIBE + quote(https, safe=""))


def head_response(request: Request, feed: RenderedFeed) -> Response[None]:
    """What GET would answer, without the body (some subscription checkers send HEAD first)."""
    response = feed_response(request, feed)
    if response.status_code == HTTP_304_NOT_MODIFIED:
        return response
    headers = {name: value for name, value in response.headers.items()}
    headers["Content-Length"] = str(len(feed.body))
    return Response(content=b"", media_type=ICS_MEDIA_TYPE, headers=headers)


async def site_feed(file: str, kind: str | None, settings: Settings) -> RenderedFeed:
    slug = feed_name(file)
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}.", code=codes.UNKNOWN_KIND)
    return await feeds.site_feed(slug, kind, settings.base_host)


WORKSHOPS_PATH = "/sites/{slug:str}/workshops.ics"
SITE_PATH, RESOURCE_PATH, OWNER_PATH, STAFF_PATH = (
    "/sites/{file:str}", "/resources/{file:str}", "/me/{file:str}", "/staff/{file:str}")


class CalendarController(Controller):
    """The feeds. Their guard is public: calendar apps carry no session, and the private feeds'
    unguessable token is their credential."""

    path = "/cal"
    tags = ["calendars"]

    @get(SITE_PATH, guards=[public], cache=False, media_type=ICS_MEDIA_TYPE,
         summary="A site's public feed, anonymised: {slug}.ics, optional ?kind=",
         description=("Anyone. iCalendar (RFC 5545) with every active booking at the site, without names (`Réservé "
                      "– {item}`), and its workshops open to the public (one event each, seats left, no names; not "
                      "with `?kind=`); a strong `ETag`, `Last-Modified`, `304` on revalidation; a bounded window; "
                      "`SEQUENCE` bumped on each change; cancelled bookings as `STATUS:CANCELLED` for a while. `400 "
                      "unknown_kind`."))
    async def site_feed(self, request: Request, file: FromPath[str], settings: NamedDependency[Settings],
                        kind: FromQuery[str | None] = None) -> Response:
        return feed_response(request, await site_feed(file, kind, settings))

    @head(SITE_PATH, guards=[public], include_in_schema=False)
    async def site_feed_head(self, request: Request, file: FromPath[str], settings: NamedDependency[Settings],
                             kind: FromQuery[str | None] = None) -> Response[None]:
        return head_response(request, await site_feed(file, kind, settings))

    @get(WORKSHOPS_PATH, guards=[public], cache=False, media_type=ICS_MEDIA_TYPE,
         summary="A site's public workshops: /cal/sites/{slug}/workshops.ics",
         description=("Anyone. The site's feed with its workshops open to the public only (titles, times, room, "
                      "seats left, age range; never a participant's name) and its closures; cancelled ones as "
                      "`STATUS:CANCELLED`; `ETag`, `Last-Modified`, `304`."))
    async def site_workshops_feed(self, request: Request, slug: FromPath[str],
                                  settings: NamedDependency[Settings]) -> Response:
        return feed_response(request, await feeds.site_workshops_feed(slug, settings.base_host))

    @get(RESOURCE_PATH, guards=[public], cache=False, media_type=ICS_MEDIA_TYPE,
         summary="One resource's public feed, anonymised: {tag}.ics",
         description="Anyone. The same feed for one item, without names.")
    async def resource_feed(self, request: Request, file: FromPath[str],
                            settings: NamedDependency[Settings]) -> Response:
        return feed_response(request, await feeds.resource_feed(feed_name(file), settings.base_host))

    @head(RESOURCE_PATH, guards=[public], include_in_schema=False)
    async def resource_feed_head(self, request: Request, file: FromPath[str],
                                 settings: NamedDependency[Settings]) -> Response[None]:
        return head_response(request, await feeds.resource_feed(feed_name(file), settings.base_host))

    @get(OWNER_PATH, guards=[public], cache=False, media_type=ICS_MEDIA_TYPE,
         summary="The token owner's own bookings with details: {token}.ics",
         description=("The token is the key: the owner's bookings with details and loan return times. A wrong or "
                      "rotated token is a `404`."))
    async def owner_feed(self, request: Request, file: FromPath[str], settings: NamedDependency[Settings]) -> Response:
        return feed_response(request, await feeds.owner_feed(feed_name(file), settings.base_host))

    @head(OWNER_PATH, guards=[public], include_in_schema=False)
    async def owner_feed_head(self, request: Request, file: FromPath[str],
                              settings: NamedDependency[Settings]) -> Response[None]:
        return head_response(request, await feeds.owner_feed(feed_name(file), settings.base_host))

    @get(STAFF_PATH, guards=[public], cache=False, media_type=ICS_MEDIA_TYPE,
         summary="A site's bookings with holders' names, staff tokens only: {token}.ics",
         description=("The token is the key, made by a staff member for one of their sites: its bookings with "
                      "holders' names. A wrong or rotated token is a `404`."))
    async def staff_feed(self, request: Request, file: FromPath[str], settings: NamedDependency[Settings]) -> Response:
        return feed_response(request, await feeds.staff_feed(feed_name(file), settings.base_host))

    @head(STAFF_PATH, guards=[public], include_in_schema=False)
    async def staff_feed_head(self, request: Request, file: FromPath[str],
                              settings: NamedDependency[Settings]) -> Response[None]:
        return head_response(request, await feeds.staff_feed(feed_name(file), settings.base_host))


class FeedLinkController(Controller):
    path = "/api"
    tags = ["calendars"]

    @post("/me/feed-token", guards=[signed_in], status_code=HTTP_201_CREATED,
          summary="A new private calendar link",
          description=("Signed in. The old link stops working at once. A private token is HMAC(secret key, scope, "
                       "user, row id), stored only as a hash: the server can show it again without keeping it, and "
                       "a killed link never comes back."))
    async def rotate_personal(self, request: Request, settings: NamedDependency[Settings]) -> FeedLinkOut:
        token = await service.rotate_feed_token(secret_key=settings.secret_key, user_id=request.user.id, scope="me",
                                                site_id=None)
        return feed_links(settings, f"/cal/me/{token}.ics")

    @post("/me/staff-feed-token", guards=[staff_only], status_code=HTTP_201_CREATED,
          summary="A new staff calendar link for a site",
          description=("Staff, for one of their sites (`site`, default their home site; `400 site_required`, `404 "
                       "unknown_site`). The old link stops working at once."))
    async def rotate_staff(self, request: Request, settings: NamedDependency[Settings],
                           site: FromQuery[str | None] = None) -> FeedLinkOut:
        user = request.user
        if site is None:
            if user.site_id is None:
                raise InvalidInput("Choose a site: ?site=slug.", code=codes.SITE_REQUIRED)
            site_id = user.site_id
        else:
            row = await find_site(site)
            if row is None:
                raise NotFound(f"No site {site!r}.", code=codes.UNKNOWN_SITE)
            site_id = row["id"]
        scope.require_site(user, site_id, "This site")  # the feed names the learners
        token = await service.rotate_feed_token(secret_key=settings.secret_key, user_id=user.id, scope="staff",
                                                site_id=site_id)
        return feed_links(settings, f"/cal/staff/{token}.ics")

    @get("/feeds", guards=[signed_in],
         summary="My calendar subscribe links",
         description=("Signed in. `webcal`, `https`, and `google` (Google Calendar's subscribe page) for each site "
                      "and kind; `personal` and `staff` carry the live private link again (`null` for a link made "
                      "before links could be shown again: it works, and a new one can be shown)."))
    async def list_feeds(self, request: Request, settings: NamedDependency[Settings]) -> FeedsOut:
        user = request.user
        links = []
        for site in await queries.sites_for_links(user.site_id):
            for kind in (None, *KINDS):
                path = f"/cal/sites/{site['slug']}.ics" + (f"?kind={kind}" if kind else "")
                name = f"Fablab {site['name']}" + (f" – {KIND_LABELS[kind]}" if kind else "")
                link = feed_links(settings, path)
                links.append(PublicFeedOut(site=site["slug"], kind=kind, name=name,
                                           https=link.https, webcal=link.webcal, google=link.google))
        live = {row["scope"]: row for row in await queries.live_tokens(user.id)}

        def private(scope: str) -> PrivateFeedOut:
            row = live.get(scope)
            if row is None:
                return PrivateFeedOut(active=False)
            token = service.live_feed_token(settings.secret_key, row)
            link = feed_links(settings, f"/cal/{scope}/{token}.ics") if token else None
            return PrivateFeedOut(active=True, created_at=row["created_at"], site=row["site"],
                                  https=link and link.https, webcal=link and link.webcal, google=link and link.google)

        return FeedsOut(public=links, personal=private("me"), staff=private("staff") if user.is_staff else None)


ROUTES = [CalendarController, FeedLinkController]
JOBS: list = []
