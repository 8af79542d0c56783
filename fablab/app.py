"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router

from fablab.platform import background, db
from fablab.accounts.current import SessionAuthMiddleware
from fablab.accounts.session_cache import Listener
from fablab.accounts.strength import load_dictionaries
from fablab.platform.guards import public
from fablab.platform.health import health
from fablab.platform.problems import EXCEPTION_HANDLERS
from fablab.routes_registry import ALL_ROUTES, PERIODIC_JOBS
from fablab.platform.settings import Settings, load_settings
from fablab.web.api_guide import API_DESCRIPTION, TAGS
from fablab.web.compression import COMPRESSION
from fablab.web.csrf import csrf_header_only_middleware
from fablab.web.headers import security_headers_middleware
from fablab.web.hosts import allowed_hosts_middleware
from fablab.web.json_body import CheckedRequest
from fablab.web.paths import nul_path_middleware
from fablab.web.routes import STATIC_DIR
from fablab.web.schema_viewer import LocalSwaggerPlugin

log = logging.getLogger("fablab")

CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"


def create_app(settings: Settings | None = None, *, run_jobs: bool = True) -> Litestar:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar):
        embedded = None
        database_url = settings.database_url
        if database_url is None:
            from fablab.platform.embedded_db import start_embedded

            embedded = start_embedded(settings.data_dir, port=settings.pg_port)
            database_url = embedded.url()
        db.configure(database_url)
        await db.start_pool()
        # zxcvbn learns French once per worker, before the first invite waits a second for it.
        await asyncio.to_thread(load_dictionaries)
        session_listener = Listener(database_url)
        await session_listener.start()
        tasks = background.start_jobs(PERIODIC_JOBS) if run_jobs and settings.periodic_jobs else []
        try:
            yield
        finally:
            await background.stop_jobs(tasks)
            await session_listener.stop()
            await db.close_pool()
            if embedded is not None:
                embedded.stop()

    bench_routes = []
    if settings.bench_routes:
        from fablab.web.bench_routes import ROUTES as bench_routes

    return Litestar(
        route_handlers=[health, *ALL_ROUTES, *bench_routes, create_static_files_router(
            path="/", directories=[STATIC_DIR], html_mode=False, name="static", guards=[public],
            # Revalidate every time (a cheap 304): after a deploy, phones get the new app at once,
            # never a mix of old scripts and new API. The service worker keeps the offline copy.
            cache_control=CacheControlHeader(no_cache=True),
        )],
        lifespan=[lifespan],
        compression_config=COMPRESSION,
        dependencies={"settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            security_headers_middleware(hsts=settings.https),
            allowed_hosts_middleware(settings.allowed_hosts),
            nul_path_middleware,
            csrf_header_only_middleware(CSRF_COOKIE, CSRF_HEADER),
            DefineMiddleware(SessionAuthMiddleware, exclude=["^/health$", "^/schema", "^/cal/"]),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key, cookie_name=CSRF_COOKIE, header_name=CSRF_HEADER,
            cookie_secure=settings.https, cookie_samesite="lax", cookie_httponly=False,
        ),
        request_max_body_size=settings.max_body_bytes,
        request_class=CheckedRequest,  # caps JSON nesting before decoding
        openapi_config=OpenAPIConfig(title="fablab", version="0.1.0", path="/schema", description=API_DESCRIPTION,
                                     tags=TAGS, render_plugins=[LocalSwaggerPlugin()]),
        debug=False,
    )


def create_served_app():
    """The app as `fablab serve` runs it in each worker (uvicorn's factory)."""
    from fablab.platform.late_requests import answer_cancelled
    from fablab.platform.supervision import die_with_parent

    die_with_parent()
    return answer_cancelled(create_app())
