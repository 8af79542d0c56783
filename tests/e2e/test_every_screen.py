"""Every screen of the app, for each role, on a 360 × 640 phone in French: no horizontal scroll, no
console error, no serious or critical axe finding, no English word, no ISO date, seconds, raw site
code, internal id or double full stop. The screens come from the ROUTES table of static/js/app.js,
so a new screen is walked without anyone adding it here; screenshots in test-output/screenshots/walk-*.png.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import api_client, next_open_day, no_horizontal_scroll, serious_violations, sign_in
from tests.support.wording import ADDRESS, COGNATES, TAG, words

STATIC = Path(__file__).resolve().parents[2] / "static"
PARIS = ZoneInfo("Europe/Paris")
WIDTH, HEIGHT = 360, 640
ACCESS_ORDER = ("any", "user", "staff", "admin")

FORMAT_RULES = {
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "time with seconds": re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b"),
    "raw site code": re.compile(r"\b(?:vlg|pfs|pan|VLG|PFS|PAN)\b"),
    "internal id": re.compile(r"(?i)\b(?:réservation|série|comptage|demande|booking)[ \u00a0]+(?:n°[ \u00a0]*)?#?\d+\b"),
    "double full stop": re.compile(r"(?<!\.)\.\.(?!\.)"),
}

# Faults the walk finds in screens this branch does not own, each with who fixes it. Strict: once a
# fault is gone the walk fails until its line here is deleted, so the list never hides a fixed
# screen's regression. Keys: (screenshot name, check).
KNOWN_FAULTS: dict[tuple[str, str], str] = {}

# Counts fetches in flight, so a screen is judged once it has finished loading what it shows.
TRACK_FETCHES = """
window.__inflight = 0; window.__lastFetch = 0;
const originalFetch = window.fetch;
window.fetch = function (...args) {
  window.__inflight++;
  return originalFetch.apply(this, args).finally(() => { window.__inflight--; window.__lastFetch = performance.now(); });
};
"""
SETTLED = """() => !document.querySelector('#main[aria-busy]') && document.querySelector('#main .screen')
  && window.__inflight === 0 && performance.now() - window.__lastFetch > 300"""


def routes_of_the_app() -> list[tuple[str, str, str]]:
    """(pattern, screen, access) of each entry of the ROUTES table in static/js/app.js."""
    source = (STATIC / "js" / "app.js").read_text()
    table = source[source.index("const ROUTES"):]
    table = table[:table.index("];")]
    routes = re.findall(r'\[\s*"([^"]*)"\s*,\s*"([^"]+)"\s*,\s*"([^"]+)"', table)
    assert len(routes) >= 10, "the ROUTES table of app.js changed shape: teach routes_of_the_app to read it"
    unknown = sorted({access for _, _, access in routes} - set(ACCESS_ORDER))
    assert not unknown, f"new access levels in ROUTES {unknown}: tell screens_for which role walks them"
    return routes


def english_words(page) -> set[str]:
    """The words of the English dictionary that are not French words too (wording.COGNATES). Not
    "minus the words of fr.js": an English word slipped into fr.js would then pass unseen."""
    strings = page.evaluate("""async () => {
        const texts = (tree) => Object.values(tree).flatMap((v) => typeof v === 'string' ? [v] : texts(v));
        return texts((await import('/i18n/en.js')).default);
    }""")
    return set().union(*(words(text) for text in strings)) - COGNATES


def shown_text(page) -> str:
    """What a person sees or hears: visible text, and the labels, alt texts and placeholders."""
    return page.evaluate("""() => {
        const extra = [...document.querySelectorAll('[aria-label], [alt], [placeholder], [title]')]
          .filter((el) => el.offsetParent !== null || el === document.body)
          .flatMap((el) => ['aria-label', 'alt', 'placeholder', 'title'].map((a) => el.getAttribute(a) || ''));
        return [document.title, document.body.innerText, ...extra].join('\\n');
    }""")


@dataclass
class Walk:
    phone: object
    english: set[str] = field(default_factory=set)
    # The headings of the router's own screens: a screen the role may open must not end on one.
    refusals: dict[str, str] = field(default_factory=dict)
    faults: dict[tuple[str, str], str] = field(default_factory=dict)
    walked: list[str] = field(default_factory=list)

    def visit(self, name: str, path: str, expect: str | None = None) -> None:
        page = self.phone.page
        self.phone.console_errors.clear()
        self.phone.page_errors.clear()
        self.phone.goto(path)
        page.wait_for_function(SETTLED, timeout=15_000)
        self.walked.append(name)
        self.phone.shot(f"walk-{name}")
        self.check(name, page)
        heading = page.locator("#main h1").first.inner_text().strip()
        shown = next((kind for kind, title in self.refusals.items() if heading == title), None)
        if shown != expect:
            self.fault(name, "wrong screen", f"expected {expect or 'the screen itself'}, got '{heading}'")

    def check(self, name: str, page) -> None:
        if not no_horizontal_scroll(page):
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 3).map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""")
            self.fault(name, "horizontal scroll", f"wider than {WIDTH} px: {wide}")
        if errors := self.phone.errors():
            self.fault(name, "console error", "; ".join(errors)[:300])
        if violations := serious_violations(page):
            self.fault(name, "axe", str(violations)[:400])
        text = ADDRESS.sub(" ", TAG.sub(" ", shown_text(page)))
        if english := sorted(words(text) & self.english):
            self.fault(name, "English words", ", ".join(english))
        for rule, pattern in FORMAT_RULES.items():
            if found := sorted({match.group(0) for match in pattern.finditer(text)}):
                self.fault(name, rule, ", ".join(found[:5]))

    def fault(self, name: str, check: str, detail: str) -> None:
        self.faults[(name, check)] = detail

    def verdict(self, role: str) -> None:
        assert self.walked, "no screen walked"
        unexpected = {key: detail for key, detail in self.faults.items() if key not in KNOWN_FAULTS}
        mine = [key for key in KNOWN_FAULTS if key[0].startswith(f"{role}-")]
        gone = sorted(key for key in mine if key[0] not in self.walked)
        assert not gone, f"KNOWN_FAULTS names screens the walk no longer has, delete them: {gone}"
        fixed = sorted(key for key in mine if key not in self.faults)
        report = [f"  walk-{name}.png · {check}: {detail}" for (name, check), detail in sorted(unexpected.items())]
        assert not report, "faults on the screens:\n" + "\n".join(report)
        assert not fixed, f"fixed now, delete from KNOWN_FAULTS: {fixed}"


def utc(day: str, hour: int) -> str:
    moment = datetime.combine(date.fromisoformat(day), time(hour), PARIS).astimezone(timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class Scene:
    """What the screens show: made through the API as people would, so no screen is walked empty."""

    day: str
    invite_token: str
    pass_token: str
    closed_audit_id: int
    workshop_id: int = 0
    course_id: int = 0
    participant_id: int = 0
    visitor_id: int = 0  # visitors (issue 30)


def workshops_scene(staff, learner, day: str) -> tuple[int, int, int]:
    """Issue 29: a partner, a course, a workshop of it with seats held for the partner, a young
    person without an account and learner1 signed up (their home shows it). (workshop, course, participant ids)"""
    partner = staff.post("/api/partners", json={"site": "vlg", "name": "Mission Locale", "kind": "mission_locale"})
    course = staff.post("/api/courses", json={"site": "vlg", "title": "Fabriquer son mobilier", "target_hours": 35})
    assert partner.status_code == 201 and course.status_code == 201, (partner.text, course.text)
    workshop = staff.post("/api/workshops", json={
        "site": "vlg", "title": "Découpe laser", "starts_at": utc(day, 14), "ends_at": utc(day, 17), "capacity": 12,
        "course": course.json()["id"], "min_age": 16, "max_age": 25,
        "holds": [{"partner": partner.json()["id"], "seats": 4, "held_until": utc(day, 9)}]})
    assert workshop.status_code == 201, workshop.text
    workshop_id = workshop.json()["id"]
    young = staff.post("/api/participants", json={"first_name": "Inès", "initial": "B", "site": "vlg",
                                                   "birth_year": 2008, "partner": partner.json()["id"], "status": "neet"})
    assert young.status_code == 201, young.text
    # A minor (born in 2008): their guardian's consent, on paper, before the sign-up (issue 30).
    consent = staff.post(f"/api/users/{young.json()['id']}/consents", json={"covers": ["participation"]})
    assert consent.status_code == 201, consent.text
    for body, client in (({"participant": young.json()["id"]}, staff), ({}, learner)):
        signed = client.post(f"/api/workshops/{workshop_id}/registrations", json=body)
        assert signed.status_code == 201, signed.text
    return workshop_id, course.json()["id"], young.json()["id"]


def set_the_scene(base: str) -> Scene:
    with api_client(base, "staff.vlg") as staff, api_client(base, "learner1") as learner, \
            api_client(base, "learner2") as other, api_client(base, "admin") as admin:
        day = next_open_day(staff)
        learner_id = learner.get("/api/me").json()["id"]
        made = [
            learner.post("/api/bookings", json={"resource": "VLG-LAP-001", "starts_at": utc(day, 9),
                                                "ends_at": utc(day, 18)}),
            learner.post("/api/bookings", json={"site": "vlg", "kind": "room", "starts_at": utc(day, 10),
                                                "ends_at": utc(day, 12)}),
            other.post("/api/waitlist", json={"site": "vlg", "kind": "laptop", "resource": "VLG-LAP-001",
                                              "date": day}),
            staff.post("/api/checkouts", json={"tag": "VLG-LAP-005", "user": learner_id, "due_at": utc(day, 17)}),
            staff.post("/api/checkouts", json={"tag": "VLG-LAP-006", "user": learner_id, "due_at": utc(day, 17)}),
            staff.post("/api/checkins", json={"tag": "VLG-LAP-006", "condition": "damaged", "note": "Écran fissuré"}),
            staff.post("/api/audits", json={"site": "vlg"}),
            admin.post("/api/sites/vlg/closures", json={
                "starts_on": (date.fromisoformat(day) + timedelta(days=14)).isoformat(),
                "ends_on": (date.fromisoformat(day) + timedelta(days=15)).isoformat(),
                "reason": "Travaux", "all_sites": False}),
        ]
        assert all(response.status_code < 300 for response in made), [r.text for r in made if r.status_code >= 300]
        audit_id = made[6].json()["id"]
        assert staff.post(f"/api/audits/{audit_id}/scans", json={"tag": "VLG-LAP-002"}).status_code < 300
        # A finished count to read as a report, and a running one for the count screen.
        assert staff.post(f"/api/audits/{audit_id}/close").status_code < 300
        running = staff.post("/api/audits", json={"site": "vlg"})
        assert running.status_code < 300, running.text
        assert staff.post(f"/api/audits/{running.json()['id']}/scans", json={"tag": "VLG-LAP-003"}).status_code < 300
        created = staff.post("/api/users", json={"name": "Awa Traoré", "login": "awa.traore", "cohort": "2026"})
        assert created.status_code == 201, created.text
        workshop_id, course_id, participant_id = workshops_scene(staff, learner, day)
        visitor = staff.post("/api/visitors", json={"first_name": "Yanis", "initial": "M", "purpose": "Découvrir"})
        assert visitor.status_code == 201, visitor.text
        return Scene(day=day, invite_token=created.json()["invite"]["token"],
                     pass_token=learner.get("/api/me/pass").json()["token"], closed_audit_id=audit_id,
                     workshop_id=workshop_id, course_id=course_id, participant_id=participant_id,
                     visitor_id=visitor.json()["id"])


def screens_for(role: str, scene: Scene) -> list[tuple[str, str]]:
    """(screenshot name, path) of every screen `role` may open: each route of its own level (the
    learner's screens for staff too: theirs differ), and each kind where a screen is per kind."""
    levels = {"anonymous": {"any"}, "learner": {"user"}, "staff": {"user", "staff"}, "admin": {"admin"}}[role]
    # A value for each path parameter, per screen; a new parameter fails with a request for one.
    samples = {":token": {"invite": scene.invite_token, "scanned-pass": scene.pass_token},
               ":id": {"audit-report": str(scene.closed_audit_id), "workshop": str(scene.workshop_id),
                       "courses": str(scene.course_id), "participant-card": str(scene.participant_id),
                       "visitor-pass": str(scene.visitor_id),
                       "minor": str(scene.participant_id)}}
    for name, value in ((":tag", "VLG-LAP-005"), (":site", "vlg"), (":slug", "vlg")):
        samples[name] = {screen: value for _, screen, _ in routes_of_the_app()}
    out = []
    for pattern, screen, access in routes_of_the_app():
        if access not in levels and not (role == "admin" and pattern == ""):
            continue
        if pattern == "login" and role != "anonymous":
            continue
        parts = []
        for piece in pattern.split("/"):
            if piece.startswith(":"):
                assert screen in samples.get(piece, {}), f"no sample value of {piece} for #/{pattern}: add one"
                piece = samples[piece][screen]
            parts.append(piece)
        route = "/".join(parts)
        out.append((f"{role}-{screen or 'home'}", f"/#/{route}"))
        if screen == "book":
            for kind in ("laptop", "printer_3d", "room"):
                out.append((f"{role}-book-{kind}", f"/#/book?site=vlg&kind={kind}&date={scene.day}"))
        if screen == "waitlist":
            out.append((f"{role}-waitlist-day", f"/#/waitlist?site=vlg&date={scene.day}"))
    if role in ("anonymous", "learner", "staff"):
        for tag in ("VLG-LAP-005", "VLG-LAP-006", "VLG-P3D-001", "VLG-ROOM-001"):
            out.append((f"{role}-tag-{tag}", f"/t/{tag}"))
    if role == "learner":
        out.append((f"{role}-forbidden", "/#/today"))
    if role == "staff":
        out.append((f"{role}-forbidden", "/#/admin"))
    out.append((f"{role}-notfound", "/#/nowhere"))
    return out


@pytest.mark.parametrize("role", ["anonymous", "learner", "staff", "admin"])
def test_every_screen_at_360_px_in_plain_french(phone_factory, live_server, role):
    scene = set_the_scene(live_server)
    phone = phone_factory(width=WIDTH)
    phone.page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    phone.page.add_init_script(TRACK_FETCHES)
    if role == "anonymous":
        phone.goto("/#/login")
    else:
        sign_in(phone, {"learner": "learner1", "staff": "staff.vlg", "admin": "admin"}[role])
    errors = phone.page.evaluate("async () => (await import('/i18n/fr.js')).default.errors")
    walk = Walk(phone=phone, english=english_words(phone.page), refusals={
        "error": errors["title"], "notfound": errors["page_not_found"], "forbidden": errors["forbidden_title"]})
    assert {"the", "booking", "laptop"} <= walk.english, "the English dictionary was not read"
    for name, path in screens_for(role, scene):
        walk.visit(name, path, expect=next((kind for kind in ("notfound", "forbidden") if name.endswith(kind)), None))
    walk.verdict(role)


def test_the_walk_finds_every_route_and_reads_english_words():
    """The walk's own parts: the routes are read from app.js, English is told from French."""
    patterns = {pattern for pattern, _, _ in routes_of_the_app()}
    assert {"", "login", "book", "today", "admin"} <= patterns
    assert words("Réservé : Portable 08, VLG-LAP-008 — the booking") == {"réservé", "portable", "the", "booking"}
    assert FORMAT_RULES["raw site code"].search("Site : vlg")
    assert not FORMAT_RULES["raw site code"].search(TAG.sub(" ", "Code VLG-LAP-001"))
    assert FORMAT_RULES["double full stop"].search("Prêté à Sofia M.. Retour")
    assert not FORMAT_RULES["double full stop"].search("Chargement...")
    assert FORMAT_RULES["internal id"].search("Annuler la réservation 3")
    assert FORMAT_RULES["ISO date"].search("le 2026-12-25") and FORMAT_RULES["time with seconds"].search("à 10:00:00")
