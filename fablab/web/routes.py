"""The web app's shell: static files, and /t/{tag} answered with the app (it routes itself)."""

from __future__ import annotations

from pathlib import Path

from litestar import Controller, HttpMethod, route
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath
from litestar.response import File

from fablab.guards import public
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


ROUTES = [ShellController, SchemaAssetsController]
