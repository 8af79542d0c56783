"""The API reference is the OpenAPI document at /schema (issue 25): every operation says what it does
(`summary`) and who may call it, what it takes and how it refuses (`description`), written on the
route's decorator. Litestar would otherwise invent a summary from the function's name ("Create"),
which tells a reader nothing: the handler must set its own."""

from __future__ import annotations

import os

from litestar.handlers import HTTPRouteHandler

from fablab.app import create_app
from fablab.platform.settings import load_settings

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def app():
    settings = load_settings({**os.environ, "DATABASE_URL": "postgresql://127.0.0.1/unused"})
    return create_app(settings, run_jobs=False)


APP = app()


def operations() -> list[tuple[str, dict]]:
    document = APP.openapi_schema.to_schema()
    return [(f"{method.upper()} {path}", operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


def test_every_operation_has_a_summary_and_a_description():
    found = operations()
    assert len(found) > 100
    missing = [name for name, operation in found
               if not (operation.get("summary") or "").strip() or not (operation.get("description") or "").strip()]
    assert missing == [], "set summary= and description= on these routes' decorators"


def test_every_documented_handler_sets_its_own_summary_and_description():
    # The schema alone cannot tell a summary written for the reader from the one Litestar makes up.
    undocumented = sorted({f"{'/'.join(sorted(handler.http_methods))} {route.path}"
                           for route in APP.routes for handler in getattr(route, "route_handlers", [])
                           if isinstance(handler, HTTPRouteHandler) and handler.resolve_include_in_schema()
                           and not (handler.summary and handler.description)})
    assert undocumented == []


def test_the_document_says_the_conventions_of_every_route():
    info = APP.openapi_schema.to_schema()["info"]
    for words in ("application/problem+json", "X-CSRFToken", "RFC 3339", "not_your_site"):
        assert words in info["description"]
