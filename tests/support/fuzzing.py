"""schemathesis against the app's OpenAPI schema over HTTP, as each role, within a time budget.

Each (operation, role, generation mode) is one small Hypothesis run; a run stops at its first
failing example and the failure (with schemathesis' curl reproduction) becomes a Finding.
Checks: no 5xx, every documented response matches its schema, and every successful JSON answer
is documented (its status and a typed body), so that schema conformance cannot pass by skipping it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from fablab.seed import DEMO_PASSWORD

ROLES = {"anonymous": None, "learner": "learner1", "staff": "staff.vlg", "admin": "admin"}


def documented_success(ctx, response, case) -> None:
    """A 2xx JSON answer whose status or media type /schema does not document is never checked
    against a schema (schemathesis skips it): a dry run's 200 next to a documented 201, say."""
    media_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if not 200 <= response.status_code < 300 or not media_type.endswith("json"):
        return
    definition = case.operation.responses.find_by_status_code(response.status_code)
    if definition is None:
        raise AssertionError(f"{response.status_code} is not documented for {case.operation.label}")
    if definition.get_schema(media_type).schema in (None, {}, {"type": "object"}):
        raise AssertionError(f"{case.operation.label} documents no body for {response.status_code} {media_type}")


CHECKS = [not_a_server_error, response_schema_conformance, documented_success]
# Signing out would turn the rest of the role's run into an anonymous one.
SESSION_ENDING = {("POST", "/api/auth/logout")}


# Values that once gave 500s (issue 16): years at the ends of Python's range, the far offsets,
# naive instants, impossible years. Put in every date-like query parameter and body field.
HOSTILE_DATES = [
    "9999-12-31", "0001-01-01", "9999-01-01", "10000-01-01", "2026-02-30",
    "9999-12-31T23:59:59+00:00", "9999-12-31T09:00:00-14:00", "0001-01-01T00:00:00+14:00",
    "2026-12-15T10:00:00", "2026-12-15T10:00:00Z", "2026-12-15T10:00:00\u0000",
]
DATE_NAMES = {"from", "to", "at", "date", "starts_at", "ends_at", "due_at", "starts_on", "ends_on",
              "first_day", "until", "expires_at"}
# Deeper than the app accepts (32), shallow enough for the client's own JSON encoder.
HOSTILE_DEPTHS = st.integers(min_value=33, max_value=600)


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def hostile_cases(operation, base_strategy):
    """Valid cases of the operation with hostile dates put in, or with the JSON body replaced by a
    deeply nested one: a third mode next to schemathesis' positive and negative ones."""
    query_names = {parameter.name for parameter in getattr(operation, "query", [])} & DATE_NAMES

    @st.composite
    def cases(draw):
        case = draw(base_strategy)
        if case.body is not None and draw(st.booleans()):
            case.body = _nested(draw(HOSTILE_DEPTHS))
            return case
        if query_names:
            case.query = {**(case.query or {}), **{name: draw(st.sampled_from(HOSTILE_DATES)) for name in query_names}}
        if isinstance(case.body, dict):
            for name in set(case.body) & DATE_NAMES:
                case.body[name] = draw(st.sampled_from(HOSTILE_DATES))
        return case

    return cases()


@dataclass
class Finding:
    role: str
    operation: str
    mode: str
    message: str

    def __str__(self) -> str:
        return f"[{self.role}] {self.operation} ({self.mode}): {self.message}"


def role_session(base: str, login: str | None) -> requests.Session:
    """A requests session with the CSRF cookie and header, signed in as `login` unless None."""
    session = requests.Session()
    session.get(f"{base}/health", timeout=10)
    session.headers["x-csrftoken"] = session.cookies["csrftoken"]
    if login is not None:
        response = session.post(f"{base}/api/auth/login", json={"login": login, "password": DEMO_PASSWORD}, timeout=30)
        response.raise_for_status()
    return session


def operations(base: str) -> list:
    schema = schemathesis.openapi.from_url(f"{base}/schema/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


# The third mode next to schemathesis' own: valid requests with hostile dates or deep JSON.
HOSTILE = "hostile"


def fuzz_operation(base: str, operation, session: requests.Session, mode, max_examples: int) -> str | None:
    """None when every example passed, else the first failure's report."""
    if mode == HOSTILE:
        strategy = hostile_cases(operation, operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    else:
        strategy = operation.as_strategy(generation_mode=mode)

    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate], report_multiple_bugs=False)
    @given(case=strategy)
    def run(case) -> None:
        response = case.call(base_url=base, session=session, timeout=20)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        return None  # nothing to generate (e.g. no parameter to make invalid): nothing to test
    except (Exception, BaseExceptionGroup) as error:  # a failed check, or no answer: both are findings
        return f"{type(error).__name__}: {error}"
    return None


def fuzz(base: str, *, roles: dict[str, str | None] = ROLES, max_examples: int = 5, budget_s: float = 60,
         modes=(GenerationMode.POSITIVE, GenerationMode.NEGATIVE, HOSTILE), progress=None) -> tuple[list[Finding], int]:
    """Fuzz every operation as every role until the budget is spent; returns (findings, runs done)."""
    deadline = time.monotonic() + budget_s
    sessions = {role: role_session(base, login) for role, login in roles.items()}
    findings, runs = [], 0
    for operation in operations(base):
        for role, session in sessions.items():
            if role != "anonymous" and (operation.method.upper(), operation.path) in SESSION_ENDING:
                continue
            for mode in modes:
                if time.monotonic() > deadline:
                    return findings, runs
                message = fuzz_operation(base, operation, session, mode, max_examples)
                runs += 1
                if message is not None:
                    findings.append(Finding(role, f"{operation.method.upper()} {operation.path}", getattr(mode, "value", mode), message))
                    if progress:
                        progress(findings[-1])
    return findings, runs
