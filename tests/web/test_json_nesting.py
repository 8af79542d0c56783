"""Deep JSON, balanced or not, on every JSON route, signed in or not (issue 26 §3): a 400
`json_too_deep` or another 4xx, never a 500. 999 `[` with no `]` went past the nesting check (it
let unbalanced text through for the decoder to refuse, and the decoder recursed first)."""

import logging
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fablab.platform import problems
from fablab.app import create_app
from fablab.platform.settings import load_settings
from fablab.platform.throttled_log import ThrottledLog
from fablab.web.json_body import MAX_DEPTH, nesting_exceeds

JSON = {"content-type": "application/json"}
PATH_VALUES = {"tag": "VLG-LAP-007", "site": "vlg", "login": "learner1"}


def json_routes() -> list[tuple[str, str]]:
    """Every operation of the app's schema that takes a JSON body, its path parameters filled in
    (the check runs before the handler: any value that routes will do)."""
    settings = load_settings({**os.environ, "DATABASE_URL": "postgresql://127.0.0.1/unused"})
    document = create_app(settings, run_jobs=False).openapi_schema.to_schema()
    routes = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = (operation.get("requestBody") or {}).get("content", {}) if isinstance(operation, dict) else {}
            if not any("json" in media for media in content):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path":
                    value = "1" if parameter["schema"].get("type") == "integer" else PATH_VALUES.get(parameter["name"], "x")
                    path = path.replace("{" + parameter["name"] + "}", value)
            routes.append((method.upper(), path))
    return sorted(routes)


JSON_ROUTES = json_routes()
ATTACKS = {
    "open_brackets": "[" * 999,
    "open_objects": '{"x":' * 999,
    "mixed_unbalanced": '[{"x":' * 600,
    "deep_then_stray": "[" * 40 + "]" * 40 + "[" * 2000,
    "balanced_deep": "[" * 5000 + "]" * 5000,
}


def test_every_json_route_is_covered():
    assert len(JSON_ROUTES) >= 33, JSON_ROUTES  # the 33 of the issue


@pytest.mark.parametrize("attack", ATTACKS)
async def test_deep_json_is_a_4xx_on_every_json_route_without_sign_in(anon, staff, attack):
    for client in (anon, staff):
        for method, path in JSON_ROUTES:
            response = await client.request(method, path, content=ATTACKS[attack], headers=JSON)
            assert 400 <= response.status_code < 500, (attack, method, path, response.status_code, response.text[:200])


async def test_unbalanced_depth_is_refused_as_too_deep(anon):
    for attack in ("open_brackets", "open_objects", "mixed_unbalanced"):
        response = await anon.post("/api/auth/login", content=ATTACKS[attack], headers=JSON)
        assert response.status_code == 400 and response.json()["code"] == "json_too_deep", (attack, response.text)


# --- property: any shape of nesting, balanced or not, with brackets in strings ---------------------

OPENERS = st.sampled_from(["[", '{"a":', '{"[":', '["{",'])
CLOSERS = st.sampled_from(["]", "}", "1]", '"]"}'])
PIECES = st.one_of(OPENERS, CLOSERS, st.sampled_from(['"[[[["', '"\\\\"', '"\\"["', "1", ",", " "]))
SHAPES = st.one_of(
    st.builds(lambda o, n, c: o * n + c * n, OPENERS, st.integers(0, 3000), CLOSERS),  # balanced-looking
    st.builds(lambda o, n: o * n, OPENERS, st.integers(0, 3000)),  # only opened
    st.builds(lambda a, n, b, m: a * n + b * m, OPENERS, st.integers(0, 1500), OPENERS, st.integers(0, 1500)),
    st.lists(PIECES, max_size=400).map("".join),  # anything mixed
    st.builds(lambda n, k: "[" * n + '"' + "[" * k + '"' + "]" * n, st.integers(0, 40), st.integers(0, 3000)),
)
PROPERTY = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


@PROPERTY
@given(body=SHAPES)
async def test_property_no_nesting_shape_yields_a_5xx(anon, body):
    response = await anon.post("/api/auth/login", content=body, headers=JSON)
    assert response.status_code < 500, (body[:120], response.text[:200])


@PROPERTY
@given(body=SHAPES)
def test_property_the_check_never_lets_more_than_its_depth_through(body):
    """What the check lets through nests at most MAX_DEPTH deep, counted as the decoder goes."""
    if nesting_exceeds(body.encode()):
        return
    depth = deepest = 0
    in_string = escaped = False
    for char in body:
        if in_string:
            escaped, in_string = (False, in_string) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
            if depth < 0:
                break  # the decoder stops here
    assert deepest <= MAX_DEPTH, body[:120]


def test_shallow_json_with_brackets_in_strings_is_not_refused():
    assert not nesting_exceeds(b'{"a": "' + b"[" * 5000 + b'", "b": [[["]]]]"]]]}')
    assert not nesting_exceeds(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    assert nesting_exceeds(b"[" * (MAX_DEPTH + 1))


# --- the error log: each route's 500 at once, under its own name --------------------------------


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.server_error_expected
def test_a_500_on_another_route_is_logged_at_once_under_its_name(monkeypatch, caplog):
    throttled = ThrottledLog(logging.getLogger("fablab"), clock=Clock())
    monkeypatch.setattr(problems, "throttled", throttled)

    class FakeRequest:
        method = "POST"

        def __init__(self, path: str, template: str) -> None:
            self.url = type("URL", (), {"path": path})()
            self.scope = {"path_template": template}

    error = RecursionError("maximum recursion depth exceeded")
    with caplog.at_level(logging.ERROR, logger="fablab"):
        for path, template in [("/api/bookings", "/api/bookings"), ("/api/bookings", "/api/bookings"),
                               ("/api/resources/A/details", "/api/resources/{tag:str}/details")]:
            problems.internal_error_handler(FakeRequest(path, template), error)
    lines = [record.getMessage() for record in caplog.records if record.getMessage().startswith("unhandled error on")]
    assert lines == ["unhandled error on POST /api/bookings (route /api/bookings)",
                     "unhandled error on POST /api/resources/A/details (route /api/resources/{tag:str}/details)"]
