"""Every route of the app, for every role: one access guard each, and it decides as it says.

The route list is read from the app itself, so a route that another domain adds later without
a guard, or with two, fails here.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from fablab import db
from fablab.accounts.current import SESSION_COOKIE
from fablab.guards import ACCESS_GUARDS
from fablab.tokens import hash_token, new_token
from tests.conftest import make_client

# Rank of each access level and of each caller; a caller passes when its rank is high enough.
LEVEL_RANK = {"public": 0, "user": 1, "staff": 2, "admin": 3}
ROLE_LOGINS = {"anonymous": None, "learner": "learner1", "staff": "staff.vlg", "admin": "admin"}
ROLE_RANK = {"anonymous": 0, "learner": 1, "staff": 2, "admin": 3}

# Values for path parameters that name nothing real: handlers past the guard answer 4xx.
DUMMY_BY_TYPE = {int: "987654", str: "NOTHING-HERE-0", Path: "nothing-here.txt", uuid.UUID: str(uuid.UUID(int=7))}
GUARD_LEVEL = {guard: level for level, guard in ACCESS_GUARDS.items()}


def is_framework_handler(app, route, handler) -> bool:
    """Handlers the app did not write: Litestar's automatic OPTIONS answers, the OpenAPI pages
    (public documentation) and the static files of the web app (public by nature)."""
    if handler.handler_name == "options_handler" and handler.http_methods == {"OPTIONS"}:
        return True
    schema_path = getattr(app.openapi_config, "path", None) or "/schema"
    if route.path == schema_path or route.path.startswith(schema_path + "/"):
        return True
    # app.py mounts the web app's files with create_static_files_router(name="static").
    return (handler.name or "").split("/")[0] == "static"


def guarded_endpoints(app) -> list[tuple[str, str, str, object]]:
    """(method, path template, access level, handler) for every handler the app wrote."""
    endpoints = []
    for route in app.routes:
        for handler in route.route_handlers:
            if is_framework_handler(app, route, handler):
                continue
            guards = [getattr(guard, "func", guard) for guard in handler.resolve_guards()]
            levels = [GUARD_LEVEL.get(guard) for guard in guards]
            assert len(guards) == 1 and levels[0] is not None, (
                f"{sorted(handler.http_methods)} {route.path} ({handler.handler_name}) must carry exactly one "
                f"guard from fablab.guards.ACCESS_GUARDS, has {[getattr(g, '__name__', g) for g in guards]}")
            for method in sorted(handler.http_methods):
                endpoints.append((method, route, levels[0], handler))
    return endpoints


def concrete_path(route) -> str:
    path = route.path
    for name, definition in route.path_parameters.items():
        assert definition.type in DUMMY_BY_TYPE, f"{route.path}: add a dummy value for {definition.type}"
        path = path.replace("{" + definition.full + "}", DUMMY_BY_TYPE[definition.type])
    return path


async def fresh_session(login: str) -> str:
    """A session straight in the database: cheap, and each request gets its own (logout ends one)."""
    token = new_token()
    now = datetime.now(timezone.utc)
    await db.fetch(
        "INSERT INTO user_session (token_hash, user_id, created_at, expires_at) "
        "SELECT $1, id, $2, $3 FROM app_user WHERE login = $4",
        hash_token(token), now, now + timedelta(hours=1), login,
    )
    return token


def test_every_handler_has_exactly_one_access_guard(app):
    endpoints = guarded_endpoints(app)
    paths = {route.path for _, route, _, _ in endpoints}
    # The list really is the app's: the accounts routes and the other domains' are in it.
    assert {"/api/auth/login", "/api/users", "/api/admin/retention", "/health"} <= paths
    assert len(endpoints) > 30


def test_a_route_without_guard_is_caught():
    from litestar import Litestar, get

    @get("/api/unguarded")
    async def unguarded() -> None:
        return None

    app = Litestar(route_handlers=[unguarded])
    with pytest.raises(AssertionError, match="exactly one"):
        guarded_endpoints(app)


@pytest.mark.parametrize("role", list(ROLE_LOGINS))
async def test_each_route_answers_each_role_as_its_guard_says(app, demo, role):
    login = ROLE_LOGINS[role]
    failures = []
    async with make_client(app) as client:
        await client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        for method, route, level, handler in guarded_endpoints(app):
            if login:
                client.cookies.set(SESSION_COOKIE, await fresh_session(login))
            path = concrete_path(route)
            body = {} if method in ("POST", "PUT", "PATCH") else None
            response = await client.request(method, path, json=body)
            status = response.status_code
            guard_refused = status == 401 or (status == 403 and "required_role" in _problem(response))
            allowed = ROLE_RANK[role] >= LEVEL_RANK[level]
            expected = None if allowed else (401 if role == "anonymous" else 403)
            if allowed and guard_refused:
                failures.append(f"{method} {path} [{level}] refused {role} with {status}")
            elif not allowed and (not guard_refused or status != expected):
                failures.append(f"{method} {path} [{level}] gave {role} {status}, expected {expected}")
            elif status >= 500:
                failures.append(f"{method} {path} [{level}] crashed for {role}: {status}")
    assert not failures, "\n".join(failures)


def _problem(response) -> dict:
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return response.json()
    return {}
