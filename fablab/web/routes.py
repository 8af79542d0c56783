"""The web app's shell: static files, /t/{tag} answered with the app (it routes itself), and the
domain's words the app lists (GET /api/vocabulary)."""

from __future__ import annotations

from pathlib import Path

from litestar import Controller, HttpMethod, get, route
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath
from litestar.response import File

from fablab.domain import vocabulary
from fablab.platform.guards import public
from fablab.web.schemas import VocabularyOut
from fablab.web.schema_viewer import SchemaAssetsController

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
INDEX = STATIC_DIR / "index.html"


def shell_page() -> File:
    return File(INDEX, filename="index.html", content_disposition_type="inline", media_type="text/html")


class ShellController(Controller):
    include_in_schema = False
    # Revalidated on every visit, like the static files: after a deploy the app is new at once.
    cache_control = CacheControlHeader(no_cache=True)

    @route("/t/{tag:str}", http_method=[HttpMethod.GET, HttpMethod.HEAD], guards=[public], media_type="text/html")
    async def tag_page(self, tag: FromPath[str]) -> File:
        return shell_page()

    # The app's front page, for GET and HEAD: Litestar's static router (html_mode) answers only
    # GET / (HEAD / was a 405 to uptime checks and link previews); its other files take both.
    @route("/", http_method=[HttpMethod.GET, HttpMethod.HEAD], guards=[public], media_type="text/html")
    async def index(self) -> File:
        return shell_page()


VOCABULARY = VocabularyOut(
    kinds=list(vocabulary.KINDS), kind_tag_prefixes=dict(vocabulary.KIND_TAG_PREFIX),
    resource_statuses=list(vocabulary.RESOURCE_STATUSES), booking_statuses=list(vocabulary.BOOKING_STATUSES),
    active_booking_statuses=list(vocabulary.ACTIVE_BOOKING_STATUSES), cancel_reasons=list(vocabulary.CANCEL_REASONS),
    weekdays=list(vocabulary.WEEKDAYS), policy_units=list(vocabulary.POLICY_UNITS),
    conditions=list(vocabulary.CONDITIONS), movement_kinds=list(vocabulary.MOVEMENT_KINDS),
    roles=list(vocabulary.ROLES), waitlist_statuses=list(vocabulary.WAITLIST_STATUSES),
    languages=list(vocabulary.LANGUAGES),
)


class VocabularyController(Controller):
    path = "/api"
    tags = ["app"]

    # The same for everyone and changed only by a deploy: any cache may keep it for an hour.
    @get("/vocabulary", guards=[public], cache_control=CacheControlHeader(public=True, max_age=3600),
         summary="The domain's words, as the app lists them",
         description=("Anyone. `kinds` (with `kind_tag_prefixes`), `resource_statuses`, `booking_statuses`, "
                      "`active_booking_statuses`, `cancel_reasons`, `weekdays` (`mon` … `sun`), `policy_units`, "
                      "`conditions`, `movement_kinds`, `roles`, `waitlist_statuses`, `languages`, defined once in "
                      "`fablab/domain/vocabulary.py` and repeated by the migrations' CHECKs. `Cache-Control: public, "
                      "max-age=3600`; the app fetches it once per page load, and its labels are keyed by these "
                      "words."))
    async def get_vocabulary(self) -> VocabularyOut:
        """Kinds, statuses, weekdays, units, conditions, roles: the words the app lists and labels."""
        return VOCABULARY


ROUTES = [ShellController, SchemaAssetsController, VocabularyController]
