"""The web app's shell: static files, and /t/{tag} answered with the app (it routes itself)."""

from __future__ import annotations

from pathlib import Path

from litestar import Controller, get
from litestar.params import FromPath
from litestar.response import File

from fablab.guards import public
from fablab.web.schema_viewer import SchemaAssetsController

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"


class ShellController(Controller):
    include_in_schema = False

    @get("/t/{tag:str}", guards=[public], media_type="text/html")
    async def tag_page(self, tag: FromPath[str]) -> File:
        return File(STATIC_DIR / "index.html", content_disposition_type="inline", media_type="text/html")


ROUTES = [ShellController, SchemaAssetsController]
