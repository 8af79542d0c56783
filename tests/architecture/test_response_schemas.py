"""Typed responses: every JSON route documents what it returns in /schema (a Struct, not a bare
object), and a booking has one shape wherever the API returns it (issue 18)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import msgspec
import pytest

from fablab.app import create_app
from fablab.bookings.schemas import BookingOut
from fablab.platform.settings import load_settings

JSON_TYPES = ("application/json", "application/problem+json")


def schema_document() -> dict:
    settings = load_settings({**os.environ, "DATABASE_URL": "postgresql://127.0.0.1/unused"})
    return create_app(settings, run_jobs=False).openapi_schema.to_schema()


DOCUMENT = schema_document()
COMPONENTS = DOCUMENT.get("components", {}).get("schemas", {})


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def vague(schema: dict) -> str | None:
    """Why this schema says nothing about the body (None when it describes one)."""
    schema = resolve(schema)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            reasons = [vague(option) for option in schema[key]]
            return next((reason for reason in reasons if reason), None)
    if schema.get("type") == "array":
        return vague(schema.get("items", {})) and f"array of {vague(schema.get('items', {}))}"
    if schema.get("type") == "null":
        return None
    if schema.get("type") == "object" or not schema:
        return None if schema.get("properties") else f"a bare {schema.get('type', 'any value')}"
    return None


def json_responses() -> list[tuple[str, str, str, dict]]:
    found = []
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for status, response in operation.get("responses", {}).items():
                for media_type, content in response.get("content", {}).items():
                    if status.startswith("2") and media_type in JSON_TYPES and status != "204":
                        found.append((method.upper(), path, status, content.get("schema", {})))
    return found


RESPONSES = json_responses()


def test_the_schema_lists_the_json_routes_of_every_domain():
    tags = {operation.get("tags", [""])[0] for item in DOCUMENT["paths"].values() for operation in item.values()
            if isinstance(operation, dict)}
    assert {"accounts", "bookings", "series", "waitlist", "inventory", "sites", "policies", "calendars", "reports",
            "push", "health"} <= tags
    assert len(RESPONSES) > 60


@pytest.mark.parametrize("method, path, status, schema", RESPONSES, ids=[f"{m} {p} {s}" for m, p, s, _ in RESPONSES])
def test_every_json_route_documents_its_body(method, path, status, schema):
    assert vague(schema) is None, f"{method} {path} {status} answers {vague(schema)} in /schema"


BOOKING_RESPONSES = [
    ("GET", "/api/bookings", ("items",)),
    ("POST", "/api/bookings", ()),
    ("GET", "/api/bookings/{booking_id}", ()),
    ("GET", "/api/checkouts", ("items",)),
    ("POST", "/api/checkouts", ("properties", "booking")),
    ("POST", "/api/checkins", ("properties", "booking")),
    ("GET", "/api/series/{series_id}", ("properties", "bookings", "items")),
    ("GET", "/api/waitlist", ("items", "properties", "booking")),
    ("GET", "/api/tags/{tag}", ("properties", "current_booking")),
    ("GET", "/api/resources/{tag}", ("properties", "booking")),
]


@pytest.mark.parametrize("method, path, where", BOOKING_RESPONSES, ids=[f"{m} {p}" for m, p, _ in BOOKING_RESPONSES])
def test_every_route_returning_a_booking_names_the_one_shape(method, path, where):
    operation = DOCUMENT["paths"][path][method.lower()]
    status = next(code for code in operation["responses"] if code.startswith("2"))
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    for step in where:
        resolved = resolve(schema)
        if step == "properties" and "oneOf" in resolved:  # several bodies (a dry run and the real one): the real one
            resolved = next(resolve(option) for option in resolved["oneOf"] if "booking" in resolve(option)["properties"])
        schema = resolved[step]
    options = resolve(schema).get("oneOf", [schema])
    assert {"$ref": "#/components/schemas/BookingOut"} in options


async def test_a_booking_reads_the_same_from_the_bookings_and_from_the_desk(staff):
    """The same loan, read through five routes of three packages, is one object."""
    start = datetime.now(timezone.utc) + timedelta(minutes=5)
    made = await staff.post("/api/bookings", json={
        "resource": "VLG-LAP-011", "user": "learner6", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(), "override_policy": True, "purpose": "Un seul visage"})
    assert made.status_code == 201, made.text
    booking_id = made.json()["id"]
    lent = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-011", "booking": booking_id})
    assert lent.status_code == 201, lent.text

    by_id = (await staff.get(f"/api/bookings/{booking_id}")).json()
    out_now = [b for b in (await staff.get("/api/checkouts")).json() if b["id"] == booking_id]
    tag_page = (await staff.get("/api/tags/VLG-LAP-011")).json()
    item = (await staff.get("/api/resources/VLG-LAP-011")).json()
    assert set(by_id) == set(BookingOut.__struct_encode_fields__)
    assert by_id["status"] == "checked_out" and by_id["user"]["login"] == "learner6" and by_id["overdue"] is False
    assert out_now == [by_id] and tag_page["current_booking"] == by_id and item["booking"] == by_id
    assert lent.json()["booking"] == by_id and tag_page["holder"] == by_id["user"] == item["holder"]
    msgspec.convert(by_id, BookingOut)  # the answer decodes into the shape /schema documents

    back = await staff.post("/api/checkins", json={"tag": "VLG-LAP-011"})
    assert back.status_code == 200, back.text
    returned = back.json()["booking"]
    assert set(returned) == set(by_id) and returned["status"] == "returned"
    assert returned == (await staff.get(f"/api/bookings/{booking_id}")).json()
