"""Every route of the app, for every role: one access guard each, and it decides as it says.

The route list is read from the app itself, so a route that another domain adds later without
a guard, or with two, fails here.
"""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from fablab.platform import db
from fablab.accounts.current import SESSION_COOKIE
from fablab.platform.guards import ACCESS_GUARDS
from fablab.domain.tokens import hash_token, new_token
from tests.support.clients import make_client

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
                f"guard from fablab.platform.guards.ACCESS_GUARDS, has {[getattr(g, '__name__', g) for g in guards]}")
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


# ---------------------------------------------------------------------------------------------
# The site dimension (issue 16 §1). staff.pfs acts for Pierrefitte only: every route a staff
# member can reach is called on a Pierrefitte object (own) and on a Villeneuve one (other).
# The table is checked against the app's routes: a new user or staff route that is not listed
# here, with what staff of another site must get, fails the suite.

SCOPED = "scoped"            # own: the status given; other: 403 not_your_site, nothing changed
HIDDEN = "hidden"            # own: the status given; other: the 404 of a thing that does not exist (issue 26)
LEARNER_VIEW = "learner"     # other: what a learner gets (the checks say what that is)
SAME = "same"                # no site's people in it: own and other answer alike
SELF = "self"                # about the caller only: no site to choose

OWN_SITE, OTHER_SITE = "pfs", "vlg"
SITE_LEARNERS = {"pfs": ("learner11", "learner12", "learner13"), "vlg": ("learner1", "learner2", "learner3")}
TABLES_THAT_MUST_NOT_CHANGE = ("app_user", "visitor_pass", "booking", "booking_series", "waitlist_entry", "audit", "movement",
                               "resource", "certification", "invite", "staff_site", "feed_token",
                               "consumable", "consumable_movement", "part", "part_custody",
                               "maintenance_plan", "maintenance_record", "handover", "handover_item",
                               "partner", "participant", "course", "workshop", "workshop_hold", "registration",
                               "attendance", "guardian", "consent", "consent_text")


def csv(text: str) -> dict:
    return {"content": text.encode(), "headers": {"content-type": "text/csv"}}


def slot(o: dict, hh: int) -> dict:
    start = datetime.fromisoformat(f"{o['day']}T{hh:02d}:00:00+01:00")
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}


def no_holder_nor_notes(body: dict) -> bool:
    return "holder" not in body and body.get("notes", "") == "" and "serial" not in body.get("details", {})


def with_holder_and_notes(body: dict) -> bool:
    return body.get("holder") is not None and body["notes"] == "Chargeur abîmé" and "serial" in body["details"]


def listed_notes(o: dict, rows: list) -> str:
    return next(row["notes"] for row in rows if row["tag"] == o["out_tag"])


# A phone's subscription on a real push service (never posted to here), with keys a browser would make.
PUSH_SUBSCRIPTION = {"endpoint": "https://fcm.googleapis.com/fcm/send/access-test",
                     "keys": {"p256dh": "BAz4TzpW_oSsC-YvC9DG5fKdDG970p53wCTtyugG3wJy4xkcPeKmHGEBjgm0h2_pH--xolckrzigTfklmZcr8yg",
                              "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}

# (method, route path) -> (outcome, request(o) -> dict(path, params, json, content, headers), own status, checks).
# Requests run in this order (own site after other site), so later rows may rely on earlier ones.
SITE_TABLE = {
    # A pass shown at another site's desk names its visiting learner, nothing more (issue 28).
    ("GET", "/api/users/by-pass/{token:str}"): (LEARNER_VIEW, lambda o: dict(path=f"/api/users/by-pass/{o['pass']}"), 200,
                                                {"other": lambda o, body: body["visiting"] and body["cohort"] == ""
                                                 and body["certifications"] == [],
                                                 "own": lambda o, body: not body["visiting"]}),
    ("GET", "/api/users"): (SCOPED, lambda o: dict(path="/api/users", params={"site": o["site"]}), 200),
    ("GET", "/api/users/export.csv"): (SCOPED, lambda o: dict(path="/api/users/export.csv",
                                                               params={"site": o["site"]}), 200),
    ("GET", "/api/users/{user_id:int}"): (SCOPED, lambda o: dict(path=f"/api/users/{o['learner']}"), 200),
    ("GET", "/api/users/{user_id:int}/data"): (SCOPED, lambda o: dict(path=f"/api/users/{o['learner']}/data"), 200),
    ("POST", "/api/users"): (SCOPED, lambda o: dict(path="/api/users", json={
        "name": "Nouvelle Personne", "login": f"new.{o['site']}", "site": o["site"]}), 201),
    ("POST", "/api/users/import"): (SCOPED, lambda o: dict(
        path="/api/users/import", **csv(f"name,login,site,cohort\nImport Test,imported.{o['site']},{o['site']},X\n")),
        200, {"other": lambda o, body: body["rows"][0]["code"] == "not_your_site",
              "own": lambda o, body: body["created"] == 1}),
    ("POST", "/api/users/invites"): (SCOPED, lambda o: dict(path="/api/users/invites", json={
        "cohort": "X", "site": o["site"]}), 201),
    ("POST", "/api/users/{user_id:int}/certifications"): (SCOPED, lambda o: dict(
        path=f"/api/users/{o['learner']}/certifications", json={"training_id": o["training"]}), 201),
    ("DELETE", "/api/users/{user_id:int}/certifications/{training_id:int}"): (SCOPED, lambda o: dict(
        path=f"/api/users/{o['learner']}/certifications/{o['training']}"), 204),
    ("PATCH", "/api/users/{user_id:int}"): (SCOPED, lambda o: dict(path=f"/api/users/{o['victim']}",
                                                                  json={"cohort": "Changée"}), 200),
    ("POST", "/api/users/{user_id:int}/unlock"): (SCOPED, lambda o: dict(path=f"/api/users/{o['learner']}/unlock"), 200),
    ("POST", "/api/users/{user_id:int}/invite"): (SCOPED, lambda o: dict(path=f"/api/users/{o['victim']}/invite"), 201),
    ("POST", "/api/users/{user_id:int}/deactivate"): (SCOPED, lambda o: dict(
        path=f"/api/users/{o['victim']}/deactivate"), 200),
    # Late returns (issue 31): a learner's suspension, lifted by staff of their site (own: nothing to lift).
    ("GET", "/api/users/{user_id:int}/late-returns"): (SCOPED, lambda o: dict(
        path=f"/api/users/{o['learner']}/late-returns"), 200),
    ("POST", "/api/users/{user_id:int}/suspension/lift"): (SCOPED, lambda o: dict(
        path=f"/api/users/{o['learner']}/suspension/lift", json={"reason": "Test"}), 409),
    ("GET", "/api/me/late-returns"): (SELF, lambda o: dict(path="/api/me/late-returns"), 200),
    ("GET", "/api/me/trainings"): (SELF, lambda o: dict(path="/api/me/trainings"), 200),

    ("GET", "/api/vocabulary"): (SAME, lambda o: dict(path="/api/vocabulary"), 200),
    ("GET", "/api/policies"): (SAME, lambda o: dict(path="/api/policies", params={"site": o["site"]}), 200),
    ("GET", "/api/availability"): (SAME, lambda o: dict(path="/api/availability", params={
        "site": o["site"], "kind": "room", "date": o["day"]}), 200),
    ("GET", "/api/bookings"): (SCOPED, lambda o: dict(path="/api/bookings", params={"site": o["site"]}), 200),
    ("GET", "/api/bookings/{booking_id:int}"): (HIDDEN, lambda o: dict(path=f"/api/bookings/{o['booking']}"), 200),
    ("POST", "/api/bookings"): (HIDDEN, lambda o: dict(path="/api/bookings", json={
        "resource": f"{o['prefix']}-ROOM-003", "user": o["third"], **slot(o, 10)}), 201),
    ("PATCH", "/api/bookings/{booking_id:int}"): (HIDDEN, lambda o: dict(
        path=f"/api/bookings/{o['booking']}", json={"purpose": "Déplacée"}), 200),
    ("POST", "/api/bookings/{booking_id:int}/cancel"): (HIDDEN, lambda o: dict(
        path=f"/api/bookings/{o['cancel_booking']}/cancel"), 200),
    ("POST", "/api/series"): (SCOPED, lambda o: dict(path="/api/series", json={
        "resource": f"{o['prefix']}-ROOM-003", "first_day": o["day"], "start_time": "16:00", "end_time": "17:00",
        "count": 1, "user": o["third"], "dry_run": True}), 200),
    ("GET", "/api/series/{series_id:int}"): (SCOPED, lambda o: dict(path=f"/api/series/{o['series']}"), 200),

    ("GET", "/api/waitlist"): (SCOPED, lambda o: dict(path="/api/waitlist", params={"site": o["site"], "date": o["day"]}),
                               200),
    ("POST", "/api/waitlist"): (HIDDEN, lambda o: dict(path="/api/waitlist", json={
        "site": o["site"], "kind": "room", "resource": f"{o['prefix']}-ROOM-001", "user": o["third"], **slot(o, 10)}),
        201),
    ("POST", "/api/waitlist/{entry_id:int}/promote"): (SCOPED, lambda o: dict(
        path=f"/api/waitlist/{o['entry']}/promote"), 409),  # own: the wished slot is taken
    ("DELETE", "/api/waitlist/{entry_id:int}"): (SCOPED, lambda o: dict(path=f"/api/waitlist/{o['entry']}"), 204),
    # Only the learner who waits marks "it is yours" as seen: staff get 404 on every site.
    ("POST", "/api/waitlist/{entry_id:int}/seen"): (SAME, lambda o: dict(path=f"/api/waitlist/{o['entry']}/seen"),
                                                    404),

    ("GET", "/api/resources"): (LEARNER_VIEW, lambda o: dict(path="/api/resources", params={"site": o["site"]}), 200,
                                {"other": lambda o, rows: listed_notes(o, rows) == "",
                                 "own": lambda o, rows: listed_notes(o, rows) == "Chargeur abîmé"}),
    ("GET", "/api/resources/{tag:str}"): (LEARNER_VIEW, lambda o: dict(path=f"/api/resources/{o['out_tag']}"), 200,
                                          {"other": lambda o, body: no_holder_nor_notes(body),
                                           "own": lambda o, body: with_holder_and_notes(body)}),
    ("GET", "/api/tags/{tag:str}"): (LEARNER_VIEW, lambda o: dict(path=f"/api/tags/{o['out_tag']}"), 200,
                                     {"other": lambda o, body: body["role"] == "learner" and "holder" not in body,
                                      "own": lambda o, body: body["role"] == "staff" and body["holder"] is not None}),
    ("GET", "/api/resources/{tag:str}/qr.png"): (SAME, lambda o: dict(path=f"/api/resources/{o['out_tag']}/qr.png"), 200),
    ("GET", "/api/resources/{tag:str}/qr.svg"): (SAME, lambda o: dict(path=f"/api/resources/{o['out_tag']}/qr.svg"), 200),
    ("GET", "/api/labels"): (SAME, lambda o: dict(path="/api/labels", params={"site": o["site"]}), 200),
    ("POST", "/api/resources"): (SCOPED, lambda o: dict(path="/api/resources", json={
        "site": o["site"], "kind": "room", "name": "Salle neuve"}), 201),
    ("PATCH", "/api/resources/{tag:str}"): (SCOPED, lambda o: dict(path=f"/api/resources/{o['prefix']}-LAP-005",
                                                                  json={"name": "Portable renommé"}), 200),
    ("GET", "/api/resources/export.csv"): (SCOPED, lambda o: dict(path="/api/resources/export.csv",
                                                                   params={"site": o["site"]}), 200),
    ("POST", "/api/resources/import"): (SCOPED, lambda o: dict(
        path="/api/resources/import", **csv(f"name,kind,site\nSalle importée,room,{o['site']}\n")), 200),
    ("GET", "/api/resources/{tag:str}/holders"): (SCOPED, lambda o: dict(path=f"/api/resources/{o['out_tag']}/holders"),
                                                  200),
    ("GET", "/api/checkouts"): (SCOPED, lambda o: dict(path="/api/checkouts", params={"site": o["site"]}), 200),
    ("GET", "/api/movements"): (SCOPED, lambda o: dict(path="/api/movements", params={"site": o["site"]}), 200),
    ("POST", "/api/checkins"): (SCOPED, lambda o: dict(path="/api/checkins", json={"tag": o["out_tag"]}), 200),
    ("POST", "/api/checkouts"): (SCOPED, lambda o: dict(path="/api/checkouts", json={
        "tag": f"{o['prefix']}-LAP-003", "user": o["third"], "due_at": o["due_at"]}), 201),
    # The desk's hand-overs (issue 31): a learner of another site is unknown to staff, as is a hand-over there.
    ("POST", "/api/handovers"): (HIDDEN, lambda o: dict(path="/api/handovers", json={
        "learner": o["third"], "due_at": o["due_at"], "items": [{"tag": f"{o['prefix']}-LAP-007"},
                                                                {"tag": f"{o['prefix']}-LAP-008"}]}), 201),
    ("GET", "/api/handovers"): (HIDDEN, lambda o: dict(path="/api/handovers", params={"user": str(o["learner"])}), 200),
    ("GET", "/api/handovers/{handover_id:int}"): (HIDDEN, lambda o: dict(path=f"/api/handovers/{o['handover']}"), 200),
    ("GET", "/api/handovers/{handover_id:int}/receipt.pdf"): (HIDDEN, lambda o: dict(
        path=f"/api/handovers/{o['handover']}/receipt.pdf"), 200),
    ("GET", "/api/handovers/{handover_id:int}/return.pdf"): (HIDDEN, lambda o: dict(
        path=f"/api/handovers/{o['handover']}/return.pdf"), 200),
    ("GET", "/api/sites/{slug:str}/agreement"): (SAME, lambda o: dict(path=f"/api/sites/{o['site']}/agreement"), 200),
    # Parts (issue 19): a charger missing from an earlier loan of LAP-006, held by the site's learner.
    ("GET", "/api/parts/missing"): (SCOPED, lambda o: dict(path="/api/parts/missing", params={"site": o["site"]}), 200),
    ("POST", "/api/parts/{part_id:int}/return"): (SCOPED, lambda o: dict(path=f"/api/parts/{o['missing_part']}/return",
                                                                        json={}), 200),
    ("POST", "/api/resources/{tag:str}/parts"): (SCOPED, lambda o: dict(
        path=f"/api/resources/{o['prefix']}-LAP-005/parts", json={"name": "Souris"}), 201),
    ("DELETE", "/api/resources/{tag:str}/parts/{part_id:int}"): (SCOPED, lambda o: dict(
        path=f"/api/resources/{o['prefix']}-LAP-006/parts/{o['spare_part']}"), 204),
    ("GET", "/api/audits"): (SCOPED, lambda o: dict(path="/api/audits", params={"site": o["site"]}), 200),
    ("POST", "/api/audits"): (SCOPED, lambda o: dict(path="/api/audits", json={"site": o["site"]}), 409),  # own: one open
    ("GET", "/api/audits/{audit_id:int}"): (SCOPED, lambda o: dict(path=f"/api/audits/{o['audit']}"), 200),
    ("GET", "/api/audits/{audit_id:int}/report.csv"): (SCOPED, lambda o: dict(path=f"/api/audits/{o['audit']}/report.csv"), 200),
    ("POST", "/api/audits/{audit_id:int}/scans"): (SCOPED, lambda o: dict(
        path=f"/api/audits/{o['audit']}/scans", json={"tag": f"{o['prefix']}-LAP-001"}), 201),
    ("POST", "/api/audits/{audit_id:int}/close"): (SCOPED, lambda o: dict(path=f"/api/audits/{o['audit']}/close"), 200),
    ("POST", "/api/scan"): (SAME, lambda o: dict(path="/api/scan"), 400),  # no photo: decoding concerns no site

    # Consumables (issue 19): a site's stock, its ledger, the prints of its printers, its report.
    ("GET", "/api/consumables"): (SCOPED, lambda o: dict(path="/api/consumables", params={"site": o["site"]}), 200),
    ("POST", "/api/consumables"): (SCOPED, lambda o: dict(path="/api/consumables", json={
        "site": o["site"], "name": "Résine grise", "unit": "ml", "quantity": 500}), 201),
    ("PATCH", "/api/consumables/{consumable_id:int}"): (SCOPED, lambda o: dict(
        path=f"/api/consumables/{o['consumable']}", json={"low_threshold": 100}), 200),
    ("POST", "/api/consumables/{consumable_id:int}/movements"): (SCOPED, lambda o: dict(
        path=f"/api/consumables/{o['consumable']}/movements", json={"kind": "use", "quantity": 30}), 201),
    ("GET", "/api/consumables/{consumable_id:int}/movements"): (SCOPED, lambda o: dict(
        path=f"/api/consumables/{o['consumable']}/movements"), 200),
    ("GET", "/api/print-logs"): (SCOPED, lambda o: dict(path="/api/print-logs",
                                                        params={"tag": f"{o['prefix']}-P3D-001"}), 200),
    ("GET", "/api/reports/consumption"): (SCOPED, lambda o: dict(path="/api/reports/consumption",
                                                                 params={"site": o["site"]}), 200),
    ("GET", "/api/me/consumption"): (SELF, lambda o: dict(path="/api/me/consumption"), 200),
    # Maintenance (issue 19): plans, what is due, the maintenance done, machine hours.
    ("PUT", "/api/resources/{tag:str}/maintenance-plan"): (SCOPED, lambda o: dict(
        path=f"/api/resources/{o['prefix']}-P3D-001/maintenance-plan", json={"every_hours": 10, "task": "Buse"}), 200),
    ("GET", "/api/resources/{tag:str}/maintenance"): (SCOPED, lambda o: dict(
        path=f"/api/resources/{o['prefix']}-P3D-001/maintenance"), 200),
    ("POST", "/api/resources/{tag:str}/maintenance"): (SCOPED, lambda o: dict(
        path=f"/api/resources/{o['prefix']}-P3D-001/maintenance", json={"note": "Faite"}), 201),
    ("DELETE", "/api/resources/{tag:str}/maintenance-plan"): (SCOPED, lambda o: dict(
        path=f"/api/resources/{o['prefix']}-P3D-001/maintenance-plan"), 204),
    ("PUT", "/api/sites/{slug:str}/maintenance-plans/{kind:str}"): (SCOPED, lambda o: dict(
        path=f"/api/sites/{o['site']}/maintenance-plans/room", json={"every_days": 30, "task": "Ranger"}), 200),
    ("GET", "/api/maintenance/plans"): (SCOPED, lambda o: dict(path="/api/maintenance/plans", params={"site": o["site"]}),
                                        200),
    ("GET", "/api/maintenance/due"): (SCOPED, lambda o: dict(path="/api/maintenance/due", params={"site": o["site"]}),
                                      200),
    ("DELETE", "/api/sites/{slug:str}/maintenance-plans/{kind:str}"): (SCOPED, lambda o: dict(
        path=f"/api/sites/{o['site']}/maintenance-plans/room"), 204),
    ("GET", "/api/reports/machine-hours"): (SCOPED, lambda o: dict(path="/api/reports/machine-hours",
                                                                   params={"site": o["site"]}), 200),

    ("POST", "/api/me/staff-feed-token"): (SCOPED, lambda o: dict(path="/api/me/staff-feed-token",
                                                                  params={"site": o["site"]}), 201),
    ("GET", "/api/reports/utilisation"): (SCOPED, lambda o: dict(path="/api/reports/utilisation",
                                                                 params={"site": o["site"]}), 200),
    ("GET", "/api/reports/impact"): (SCOPED, lambda o: dict(path="/api/reports/impact", params={"site": o["site"]}), 200),
    ("GET", "/api/reminders/pending"): (SCOPED, lambda o: dict(path="/api/reminders/pending",
                                                               params={"site": o["site"]}), 200),

    ("GET", "/api/me"): (SELF, lambda o: dict(path="/api/me"), 200),
    ("GET", "/api/me/data"): (SELF, lambda o: dict(path="/api/me/data"), 200),
    ("GET", "/api/me/pass"): (SELF, lambda o: dict(path="/api/me/pass"), 200),
    ("POST", "/api/me/pass/rotate"): (SELF, lambda o: dict(path="/api/me/pass/rotate"), 200),
    ("GET", "/api/trainings"): (SELF, lambda o: dict(path="/api/trainings"), 200),
    ("GET", "/api/feeds"): (SELF, lambda o: dict(path="/api/feeds"), 200),
    ("POST", "/api/me/feed-token"): (SELF, lambda o: dict(path="/api/me/feed-token"), 201),
    # Push (issue 20): one's own phones; the test comes first, while none is subscribed (no post leaves).
    ("GET", "/api/me/missing-parts"): (SELF, lambda o: dict(path="/api/me/missing-parts"), 200),
    ("GET", "/api/me/push-subscriptions"): (SELF, lambda o: dict(path="/api/me/push-subscriptions"), 200),
    ("POST", "/api/me/push-subscriptions/test"): (SELF, lambda o: dict(path="/api/me/push-subscriptions/test"), 409),
    ("POST", "/api/me/push-subscriptions"): (SELF, lambda o: dict(path="/api/me/push-subscriptions",
                                                                  json=PUSH_SUBSCRIPTION), 201),
    ("DELETE", "/api/me/push-subscriptions"): (SELF, lambda o: dict(
        path="/api/me/push-subscriptions", params={"endpoint": PUSH_SUBSCRIPTION["endpoint"]}), 204),
    ("POST", "/api/auth/logout"): (SELF, lambda o: dict(path="/api/auth/logout"), 204),
}
# Public routes whose answer depends on who asks (the rest answer everyone alike).
# The FabLab solidaire programme (issue 29): partners, participants, workshops, sign-ups, courses.
SITE_TABLE.update({
    # visitors (issue 30): the desk's visitors and their passes.
    ("GET", "/api/visitors"): (SCOPED, lambda o: dict(path="/api/visitors", params={"site": o["site"]}), 200),
    ("POST", "/api/visitors"): (SCOPED, lambda o: dict(path="/api/visitors", json={
        "site": o["site"], "first_name": "Inès", "initial": "B"}), 201),
    ("GET", "/api/visitors/{visitor_id:int}"): (SCOPED, lambda o: dict(path=f"/api/visitors/{o['visitor']}"), 200),
    ("GET", "/api/partners"): (SCOPED, lambda o: dict(path="/api/partners", params={"site": o["site"]}), 200),
    ("POST", "/api/partners"): (SCOPED, lambda o: dict(path="/api/partners", json={
        "site": o["site"], "name": "Association du quartier", "kind": "association"}), 201),
    ("GET", "/api/participants"): (SCOPED, lambda o: dict(path="/api/participants", params={"site": o["site"]}), 200),
    ("POST", "/api/participants"): (SCOPED, lambda o: dict(path="/api/participants", json={
        "site": o["site"], "first_name": "Yanis", "initial": "B", "birth_year": 2008}), 201),
    ("GET", "/api/participants/{participant_id:int}"): (HIDDEN, lambda o: dict(
        path=f"/api/participants/{o['participant']}"), 200),
    ("GET", "/api/participants/{participant_id:int}/pass"): (HIDDEN, lambda o: dict(
        path=f"/api/participants/{o['participant']}/pass"), 200),
    ("POST", "/api/workshops"): (SCOPED, lambda o: dict(path="/api/workshops", json={
        "site": o["site"], "title": "Découpe laser", **slot(o, 16), "capacity": 8}), 201),
    ("PATCH", "/api/workshops/{workshop_id:int}"): (SCOPED, lambda o: dict(
        path=f"/api/workshops/{o['workshop']}", json={"capacity": 7}), 200),
    ("GET", "/api/workshops/{workshop_id:int}/registrations"): (SCOPED, lambda o: dict(
        path=f"/api/workshops/{o['workshop']}/registrations"), 200),
    ("POST", "/api/workshops/{workshop_id:int}/registrations"): (SCOPED, lambda o: dict(
        path=f"/api/workshops/{o['workshop']}/registrations", json={"participant": o["newcomer"]}), 201),
    ("POST", "/api/workshops/{workshop_id:int}/attendance"): (SCOPED, lambda o: dict(
        path=f"/api/workshops/{o['workshop']}/attendance", json={"participant": o["participant"]}), 200),
    ("DELETE", "/api/workshops/{workshop_id:int}/registrations/{registration_id:int}"): (HIDDEN, lambda o: dict(
        path=f"/api/workshops/{o['workshop']}/registrations/{o['leaving']}"), 204),
    ("POST", "/api/courses"): (SCOPED, lambda o: dict(path="/api/courses", json={
        "site": o["site"], "title": "Fabriquer un meuble"}), 201),
    ("GET", "/api/courses"): (SCOPED, lambda o: dict(path="/api/courses", params={"site": o["site"]}), 200),
    ("GET", "/api/courses/{course_id:int}"): (SCOPED, lambda o: dict(path=f"/api/courses/{o['course']}"), 200),
    ("GET", "/api/me/workshops"): (SELF, lambda o: dict(path="/api/me/workshops"), 200),
    # Minors and consents (issue 30).
    ("GET", "/api/users/{user_id:int}/minor"): (SCOPED, lambda o: dict(path=f"/api/users/{o['minor']}/minor"), 200),
    ("POST", "/api/users/{user_id:int}/guardians"): (SCOPED, lambda o: dict(
        path=f"/api/users/{o['minor']}/guardians", json={"name": "Karim B.", "email": "karim@example.org"}), 201),
    ("DELETE", "/api/users/{user_id:int}/guardians/{guardian_id:int}"): (SCOPED, lambda o: dict(
        path=f"/api/users/{o['minor']}/guardians/{o['spare_guardian']}"), 204),
    ("POST", "/api/users/{user_id:int}/consents"): (SCOPED, lambda o: dict(
        path=f"/api/users/{o['minor']}/consents", json={"covers": ["image_rights"]}), 201),
    ("GET", "/api/consents/{consent_id:int}/signature.png"): (SCOPED, lambda o: dict(
        path=f"/api/consents/{o['consent']}/signature.png"), 200),
    ("POST", "/api/consents/{consent_id:int}/revoke"): (SCOPED, lambda o: dict(
        path=f"/api/consents/{o['consent']}/revoke"), 200),
    ("GET", "/api/consents/expiring"): (SCOPED, lambda o: dict(path="/api/consents/expiring",
                                                                params={"site": o["site"]}), 200),
    ("GET", "/api/sites/{slug:str}/consent-text"): (SAME, lambda o: dict(path=f"/api/sites/{o['site']}/consent-text"),
                                                    200),
    # Last: it cancels the workshop the rows above use.
    ("POST", "/api/workshops/{workshop_id:int}/cancel"): (SCOPED, lambda o: dict(
        path=f"/api/workshops/{o['workshop']}/cancel", json={}), 200),
})

PUBLIC_BY_ROLE = {("GET", "/api/tags/{tag:str}")}


def missing_from_site_table(app) -> list[str]:
    """Routes a staff member can reach that the site table does not say anything about."""
    return sorted(f"{method} {route.path}" for method, route, level, _ in guarded_endpoints(app)
                  if level in ("user", "staff") and (method, route.path) not in SITE_TABLE)


def test_every_route_staff_reach_is_in_the_site_table(app):
    assert not missing_from_site_table(app), (
        "add these routes to tests/web/test_access.py SITE_TABLE with what staff of another site get "
        "(scope them with fablab.accounts.scope):\n" + "\n".join(missing_from_site_table(app)))
    routes = {(method, route.path) for method, route, _, _ in guarded_endpoints(app)}
    assert not (set(SITE_TABLE) - routes), f"SITE_TABLE names routes the app lacks: {set(SITE_TABLE) - routes}"
    assert PUBLIC_BY_ROLE <= set(SITE_TABLE)


def test_a_staff_route_missing_from_the_site_table_is_caught():
    from litestar import Litestar, get

    from fablab.platform.guards import staff_only

    @get("/api/new-staff-thing", guards=[staff_only])
    async def new_staff_thing() -> None:
        return None

    assert missing_from_site_table(Litestar(route_handlers=[new_staff_thing])) == ["GET /api/new-staff-thing"]


def next_open_day() -> date:
    from fablab.sites.calendar import holiday_dates

    day = datetime.now(timezone.utc).date() + timedelta(days=2)
    while day.weekday() >= 5 or day in holiday_dates([day.year]):
        day += timedelta(days=1)
    return day


async def site_objects(slug: str, day: date) -> dict:
    """One of each kind of object at a site: a learner with bookings, a series occurrence, a waitlist
    entry, an item lent out (with notes and a serial number), an open count, the learner's pass."""
    from fablab.accounts.passes import current_pass

    prefix = slug.upper()
    learner, victim, third = SITE_LEARNERS[slug]
    ids = {login: await db.fetchval("SELECT id FROM app_user WHERE login = $1", login) for login in (learner, victim)}
    site_id = await db.fetchval("SELECT id FROM site WHERE slug = $1", slug)
    staff_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'admin'")

    async def booking(tag: str, hh: int, status: str = "confirmed", series: int | None = None, **times) -> int:
        start = times.get("start") or datetime.fromisoformat(f"{day}T{hh:02d}:00:00+01:00")
        end = times.get("end") or start + timedelta(hours=1)
        return await db.fetchval(
            "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, "
            "status, checked_out_at, series_id, occurrence_date) "
            "SELECT r.id, r.site_id, r.kind, $2, $3, $4::timestamptz, $5, $5, $6::text, "
            "CASE WHEN $6::text = 'checked_out' THEN $4::timestamptz END, $7, "
            "CASE WHEN $7::bigint IS NOT NULL THEN $8::date END FROM resource r WHERE r.tag = $1 RETURNING id",
            tag, ids[learner], staff_id, start, end, status, series, day)

    series = await db.fetchval(
        "INSERT INTO booking_series (site_id, kind, resource_id, user_id, created_by_id, rule) "
        "SELECT site_id, kind, id, $2, $3, '{}'::jsonb FROM resource WHERE tag = $1 RETURNING id",
        f"{prefix}-ROOM-002", ids[learner], staff_id)
    await booking(f"{prefix}-ROOM-002", 14, series=series)
    now = datetime.now(timezone.utc)
    await booking(f"{prefix}-LAP-004", 0, "checked_out", start=now - timedelta(hours=1), end=now + timedelta(hours=3))
    await db.fetch("UPDATE resource SET notes = 'Chargeur abîmé' WHERE tag = $1", f"{prefix}-LAP-004")
    first = await booking(f"{prefix}-ROOM-001", 10)
    start = datetime.fromisoformat(f"{day}T10:00:00+01:00")
    parts = await missing_and_spare_parts(f"{prefix}-LAP-006", ids[learner], start=now - timedelta(days=1))
    return {
        "site": slug, "prefix": prefix, "day": day.isoformat(), "learner": ids[learner], "victim": ids[victim],
        "third": third, "booking": first, "cancel_booking": await booking(f"{prefix}-ROOM-002", 10),
        "series": series, "out_tag": f"{prefix}-LAP-004",
        "entry": await db.fetchval(
            "INSERT INTO waitlist_entry (user_id, site_id, kind, resource_id, day, starts_at, ends_at) "
            "SELECT $1, r.site_id, r.kind, r.id, $3, $4, $5 FROM resource r WHERE r.tag = $2 RETURNING id",
            ids[learner], f"{prefix}-ROOM-001", day, start, start + timedelta(hours=1)),
        "audit": await db.fetchval("INSERT INTO audit (site_id, started_by_id) VALUES ($1, $2) RETURNING id",
                                   site_id, staff_id),
        "pass": await current_pass(secret_key=os.environ["FABLAB_SECRET_KEY"], user_id=ids[learner]),
        "training": await db.fetchval("SELECT id FROM training ORDER BY id LIMIT 1"),
        "due_at": (now + timedelta(hours=2)).isoformat(), **parts,
        "consumable": await db.fetchval("INSERT INTO consumable (site_id, name, unit, quantity) "
                                        "VALUES ($1, 'PLA noir', 'g', 1000) RETURNING id", site_id),
        "handover": await lent_in_a_handover(f"{prefix}-LAP-004", ids[learner], staff_id),
        **await visitor_objects(site_id),
        **await workshop_objects(site_id, day),
        **await minor_objects(site_id, day),
    }


async def minor_objects(site_id: int, day: date) -> dict:
    """A 13-year-old participant with two guardians and a consent signed on screen; the site's consent text."""
    minor = await db.fetchval(
        "INSERT INTO app_user (role, name, login, site_id, birth_date) VALUES ('participant', 'Mineur', $1, $2, "
        "$3::date - interval '13 years 2 months') RETURNING id", f"minor.access{site_id}", site_id, day)
    await db.fetch("INSERT INTO participant (user_id) VALUES ($1)", minor)
    text = await db.fetchval("INSERT INTO consent_text (site_id, version, text) VALUES ($1, 1, 'Texte') RETURNING id",
                             site_id)
    guardians = [await db.fetchval("INSERT INTO guardian (person_id, name, phone) VALUES ($1, $2, '0600') RETURNING id",
                                   minor, name) for name in ("Parent", "Autre")]
    consent = await db.fetchval(
        "INSERT INTO consent (person_id, site_id, guardian_id, guardian_name, participation, starts_on, expires_on, "
        "method, text_id, text_version, text_seen, signature_png, signed_hash) VALUES ($1, $2, $3, 'Parent', true, "
        "$4::date - 1, $4::date + 20, 'signed', $5, 1, 'Texte', '\\x89504e47'::bytea, repeat('a', 64)) RETURNING id",
        minor, site_id, guardians[0], day, text)
    return {"minor": minor, "spare_guardian": guardians[1], "consent": consent}


async def lent_in_a_handover(tag: str, learner_id: int, staff_id: int) -> int:
    """The item out now, as lent in a hand-over at the desk (fablab/desk)."""
    handover = await db.fetchval(
        "INSERT INTO handover (site_id, user_id, staff_id, at, due_at) SELECT b.site_id, $2, $3, b.starts_at, "
        "b.ends_at FROM booking b JOIN resource r ON r.id = b.resource_id WHERE r.tag = $1 AND b.status = "
        "'checked_out' RETURNING id", tag, learner_id, staff_id)
    await db.fetch("INSERT INTO handover_item (handover_id, booking_id, resource_id, position, due_at) SELECT $1, "
                   "b.id, b.resource_id, 0, b.ends_at FROM booking b JOIN resource r ON r.id = b.resource_id "
                   "WHERE r.tag = $2 AND b.status = 'checked_out'", handover, tag)
    return handover


async def workshop_objects(site_id: int, day: date) -> dict:
    """A workshop with two participants seated (one to attend, one to leave), one more to sign up, a course."""
    start = datetime.fromisoformat(f"{day}T14:00:00+01:00")
    workshop = await db.fetchval(
        "INSERT INTO workshop (site_id, title, starts_at, ends_at, capacity, seats_taken) "
        "VALUES ($1, 'Vinyle', $2::timestamptz, $2 + interval '2 hours', 8, 2) RETURNING id", site_id, start)
    people = []
    for n in range(3):
        person = await db.fetchval("INSERT INTO app_user (role, name, login, site_id) VALUES ('participant', $1, $2, $3) "
                                   "RETURNING id", f"Jeune {n} {site_id}", f"participant.access{site_id}x{n}", site_id)
        await db.fetch("INSERT INTO participant (user_id) VALUES ($1)", person)
        people.append(person)
    registrations = [await db.fetchval(
        "INSERT INTO registration (workshop_id, user_id, status, seat, seated_at) "
        "VALUES ($1, $2, 'registered', 'open', now()) RETURNING id", workshop, person) for person in people[:2]]
    return {"workshop": workshop, "participant": people[0], "newcomer": people[2], "leaving": registrations[1],
            "course": await db.fetchval("INSERT INTO course (site_id, title) VALUES ($1, 'Parcours') RETURNING id",
                                        site_id)}


async def visitor_objects(site_id: int) -> dict:
    """A visitor of the site with a pass for today (issue 30)."""
    visitor = await db.fetchval("INSERT INTO app_user (role, name, login, site_id) VALUES ('visitor', 'Inès B.', $1, $2) "
                                "RETURNING id", f"visitor.access{site_id}", site_id)
    await db.fetch("INSERT INTO participant (user_id) VALUES ($1)", visitor)
    await db.fetch("INSERT INTO visitor_pass (user_id, site_id, valid_from, valid_until) "
                   "VALUES ($1, $2, current_date, current_date)", visitor, site_id)
    return {"visitor": visitor}


async def missing_and_spare_parts(tag: str, learner_id: int, *, start: datetime) -> dict:
    """A charger that did not come back from yesterday's loan of the item (held by the learner), and
    a spare cable at the desk."""
    booking = await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, status, "
        "checked_out_at, returned_at) SELECT id, site_id, kind, $2, $3::timestamptz, $3 + interval '1 hour', "
        "$3 + interval '1 hour', 'returned', $3, $3 + interval '1 hour' FROM resource WHERE tag = $1 RETURNING id",
        tag, learner_id, start)
    charger, spare = [await db.fetchval("INSERT INTO part (resource_id, name) SELECT id, $2 FROM resource "
                                        "WHERE tag = $1 RETURNING id", tag, name) for name in ("Chargeur", "Câble")]
    await db.fetch("INSERT INTO part_custody (part_id, booking_id, handed_over, out_at, missing_at) "
                   "VALUES ($1, $2, true, $3::timestamptz, $3 + interval '1 hour')", charger, booking, start)
    return {"missing_part": charger, "spare_part": spare}


async def tables_digest() -> dict:
    return {table: await db.fetchval(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                                     f"FROM {table} t") for table in TABLES_THAT_MUST_NOT_CHANGE}


async def call(client, login: str, method: str, spec: dict):
    client.cookies.set(SESSION_COOKIE, await fresh_session(login))
    spec = dict(spec)
    path = spec.pop("path")
    return await client.request(method, path, **spec)


def outcome_of(response) -> str:
    problem = _problem(response)
    return f"{response.status_code} {problem.get('code', '')}".strip()


async def test_staff_act_on_their_own_sites_only(app, demo):
    """staff.pfs on Villeneuve objects: 403 not_your_site for everything that writes or names people,
    the learner's view where a learner may look, and nothing changes; on Pierrefitte: the work done."""
    day = next_open_day()
    objects = {slug: await site_objects(slug, day) for slug in (OWN_SITE, OTHER_SITE)}
    failures = []
    async with make_client(app) as client:
        await client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        before = await tables_digest()
        other_answers = {}
        for (method, path), (outcome, request, own_status, *checks) in SITE_TABLE.items():
            if outcome == SELF:
                continue
            response = await call(client, "staff.pfs", method, request(objects[OTHER_SITE]))
            other_answers[(method, path)] = response.status_code
            got = outcome_of(response)
            if outcome == SCOPED and got != "403 not_your_site" and not checks:
                failures.append(f"other site: {method} {path} gave {got}, expected 403 not_your_site")
            elif outcome == HIDDEN and response.status_code != 404:
                failures.append(f"other site: {method} {path} gave {got}, expected 404 as for nothing there")
            elif outcome == LEARNER_VIEW and response.status_code != own_status:
                failures.append(f"other site: {method} {path} gave {got}, expected {own_status} (learner view)")
            if checks and response.status_code < 400 and not checks[0]["other"](objects[OTHER_SITE], response.json()):
                failures.append(f"other site: {method} {path} showed more than a learner sees: {response.text[:300]}")
            if response.status_code >= 500:
                failures.append(f"other site: {method} {path} crashed: {response.status_code}")
        changed = [table for table, digest in (await tables_digest()).items() if before[table] != digest]
        if changed:
            failures.append(f"requests on another site changed {changed}")

        for (method, path), (outcome, request, own_status, *checks) in SITE_TABLE.items():
            response = await call(client, "staff.pfs", method, request(objects[OWN_SITE]))
            if response.status_code != own_status:
                failures.append(f"own site: {method} {path} gave {outcome_of(response)} {response.text[:200]}, "
                                f"expected {own_status}")
            elif checks and response.status_code < 400 and not checks[0]["own"](objects[OWN_SITE], response.json()):
                failures.append(f"own site: {method} {path} missed what staff see: {response.text[:300]}")
            if outcome == SAME and other_answers[(method, path)] != response.status_code:
                failures.append(f"{method} {path}: {other_answers[(method, path)]} on another site, "
                                f"{response.status_code} on one's own")
    assert not failures, "\n".join(failures)


async def test_admins_act_on_every_site(app, demo):
    """The same Villeneuve requests from an admin: none is refused for its site."""
    objects = await site_objects(OTHER_SITE, next_open_day())
    refused = []
    async with make_client(app) as client:
        await client.get("/health")
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        for (method, path), (outcome, request, own_status, *_) in SITE_TABLE.items():
            if outcome not in (SCOPED, HIDDEN):
                continue
            response = await call(client, "admin", method, request(objects))
            if response.status_code >= 500 or _problem(response).get("code") == "not_your_site":
                refused.append(f"{method} {path}: {outcome_of(response)}")
    assert not refused, "\n".join(refused)
