"""/schema: one OpenAPI viewer (Swagger UI) served from our own files, nothing from another host.

The viewer's files come from the swagger-ui-py package (Swagger UI 5, which reads OpenAPI 3.1);
only the two it needs are served, with our start-up script, so the page runs under a CSP
without `https:` or `'unsafe-inline'`. `/schema/openapi.json` stays Litestar's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from litestar import Controller, Request, get
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.params import FromPath
from litestar.response import File

from fablab.domain import codes
from fablab.domain.errors import NotFound
from fablab.platform.guards import public

HERE = Path(__file__).resolve().parent
# Located without importing the package (its framework adapters pull in jinja2, unused here).
SWAGGER_DIR = Path(importlib.util.find_spec("swagger_ui").submodule_search_locations[0]) / "static"
ASSETS = {
    "swagger-ui.css": (SWAGGER_DIR / "swagger-ui.css", "text/css"),
    "swagger-ui-bundle.js": (SWAGGER_DIR / "swagger-ui-bundle.js", "text/javascript"),
    "init.js": (HERE / "init.js", "text/javascript"),
}
ASSETS_PATH = "/schema/assets"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fablab API</title>
<link rel="icon" type="image/png" sizes="192x192" href="/icons/icon-192.png">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{ASSETS_PATH}/init.js"></script>
</body>
</html>
""".encode()


class LocalSwaggerPlugin(OpenAPIRenderPlugin):
    """Litestar's /schema page, pointing at our copies of the viewer's files."""

    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request, openapi_schema: dict) -> bytes:
        return PAGE


class SchemaAssetsController(Controller):
    path = ASSETS_PATH
    include_in_schema = False

    @get("/{name:str}", guards=[public])
    async def asset(self, name: FromPath[str]) -> File:
        if name not in ASSETS:
            raise NotFound("No such file.", code=codes.NOT_FOUND)
        path, media_type = ASSETS[name]
        return File(path, media_type=media_type, content_disposition_type="inline")


ROUTES = [SchemaAssetsController]
