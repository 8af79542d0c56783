"""Minors and consents on the staff phone (issue 30), a Pixel 5 in French at 360 px: a 13-year-old's
record, a guardian added, the guardian reading the consent text and signing with a finger, the
attendance list marking who must not be photographed, a paper form recorded, the expiring list."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.support.browser import (
    api_client, draw_signature, next_open_day, no_horizontal_scroll, run_sql, serious_violations, sign_in,
)
from tests.support.paths import ROOT

PARIS = ZoneInfo("Europe/Paris")
TEXT = ("J’autorise mon enfant à participer aux ateliers du fablab, encadrés par l’équipe.\n"
        "En cas d’urgence, l’équipe appelle les secours puis le ou la responsable.")
SCREENS = ROOT / "var" / "screens"
SCREENS.mkdir(parents=True, exist_ok=True)


def iso(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), PARIS).isoformat()


def test_a_guardian_signs_on_the_staff_phone_and_the_attendance_list_marks_photos(phone_factory, live_server,
                                                                                   database_url):
    with api_client(live_server, "staff.vlg") as staff:
        day = date.fromisoformat(next_open_day(staff))
    birth = day.replace(year=day.year - 13) - timedelta(days=60)
    [young] = run_sql(database_url, "UPDATE app_user SET birth_date = $1, birth_year = $2 WHERE login = 'learner1' "
                                    "RETURNING id, name", birth, birth.year)
    with api_client(live_server, "admin") as admin:
        assert admin.put("/api/sites/vlg/consent-text", json={"text": TEXT}).status_code == 200
    with api_client(live_server, "staff.vlg") as staff:
        workshop = staff.post("/api/workshops", json={"site": "vlg", "title": "Découpe vinyle", "capacity": 12,
                                                      "starts_at": iso(day, 14), "ends_at": iso(day, 17)}).json()
        refused = staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": young["id"]})
        assert refused.status_code == 422 and refused.json()["code"] == "consent_required"

    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    # From the learner's line on the staff's learners screen.
    page = phone.goto("/#/learners")
    page.get_by_label("Chercher", exact=True).fill("learner1")
    learner = page.locator("details.item.learner", has_text=young["name"]).first
    learner.locator("summary").click()
    learner.get_by_text("Prêts au comptoir et reçus").wait_for()  # the line drawn again with the account's detail
    learner.get_by_role("link", name="Responsables et autorisations").click()
    page.get_by_role("heading", name=young["name"]).wait_for()
    page.get_by_text("Aujourd’hui : aucune autorisation valable").wait_for()
    page.get_by_label("Nom et prénom").fill("Samira Benali")
    page.get_by_label("Lien (mère, père, tuteur·rice…)").fill("mère")
    page.get_by_label("E-mail").fill("samira@example.org")
    page.get_by_role("button", name="Enregistrer le ou la responsable").click()
    page.locator("li.guardian", has_text="Samira Benali (mère)").wait_for()
    page.get_by_label("droit à l’image").check()
    page.get_by_role("button", name="Faire signer sur ce téléphone").click()

    signing = page.locator(".consent-signing")
    signing.get_by_role("heading", name="Autorisation parentale (version 1)").wait_for()
    assert "En cas d’urgence" in signing.locator(".consent-text").inner_text()
    assert f"Pour {young['name']}, à signer par Samira Benali" in signing.inner_text()
    draw_signature(page)
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.screenshot(scale="css", path=f"{SCREENS}/minors-01-guardian-signs.png", full_page=True)
    signing.get_by_role("button", name="Confirmer la signature").click()
    page.locator("#toast").get_by_text("Autorisation signée et enregistrée.").wait_for()
    page.get_by_text("Aujourd’hui : participation, droit à l’image").wait_for()
    page.locator("li.consent img.consent-signature").wait_for()
    assert page.evaluate("document.querySelector('img.consent-signature').naturalWidth > 0")
    page.screenshot(scale="css", path=f"{SCREENS}/minors-02-record.png", full_page=True)
    [consent] = run_sql(database_url, "SELECT method, text_version, length(signature_png) AS png, signed_hash, "
                                      "image_rights FROM consent")
    assert consent["method"] == "signed" and consent["text_version"] == 1 and consent["png"] > 500
    assert len(consent["signed_hash"]) == 64 and consent["image_rights"] is True
    assert phone.errors() == []

    # Signed up now; a second minor with participation only (paper form) is marked at the door.
    other_birth = day.replace(year=day.year - 12) - timedelta(days=60)
    [other] = run_sql(database_url, "UPDATE app_user SET birth_date = $1 WHERE login = 'learner2' RETURNING id, name",
                      other_birth)
    page = phone.goto(f"/#/people/{other['id']}/minor")
    page.get_by_role("heading", name=other["name"]).wait_for()
    page.get_by_role("button", name="Formulaire papier reçu").click()
    page.locator("#toast").get_by_text("Formulaire papier enregistré.").wait_for()
    page.get_by_text("formulaire papier reçu par Équipe Villeneuve-la-Garenne", exact=False).wait_for()
    with api_client(live_server, "staff.vlg") as staff:
        for person in (young, other):
            signed_up = staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": person["id"]})
            assert signed_up.status_code == 201, signed_up.text
    page = phone.goto(f"/#/workshops/{workshop['id']}")
    marked = page.locator("li.registration", has_text=other["name"])
    marked.get_by_text("ne pas photographier").wait_for()
    assert page.locator("li.registration", has_text=young["name"]).get_by_text("ne pas photographier").count() == 0
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.screenshot(scale="css", path=f"{SCREENS}/minors-03-attendance.png", full_page=True)
    assert phone.errors() == []


def test_staff_see_the_consents_about_to_expire(phone_factory, live_server, database_url):
    birth = date.today().replace(year=date.today().year - 14) - timedelta(days=60)
    run_sql(database_url, "UPDATE app_user SET birth_date = $1 WHERE login = 'learner1'", birth)
    [person] = run_sql(database_url, "SELECT id, name FROM app_user WHERE login = 'learner1'")
    soon = (date.today() + timedelta(days=12)).isoformat()
    with api_client(live_server, "staff.vlg") as staff:
        made = staff.post(f"/api/users/{person['id']}/consents", json={"covers": ["participation"], "expires_on": soon})
        assert made.status_code == 201, made.text
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/consents/expiring")
    page.get_by_role("heading", name="Autorisations bientôt expirées").wait_for()
    line = page.locator("li.consent-expiring", has_text=person["name"])
    line.get_by_text("pas d’e-mail : prévenir par téléphone").wait_for()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.screenshot(scale="css", path=f"{SCREENS}/minors-04-expiring.png", full_page=True)
    line.get_by_role("link").click()
    page.get_by_role("heading", name=person["name"]).wait_for()
    assert phone.errors() == []


def test_a_too_young_refusal_says_the_ages_and_a_minor_s_says_where_to_go(phone_factory, live_server, database_url):
    """The screens word a refusal from its problem's own fields: "16 ans minimum (15 ans ce jour-là)"."""
    with api_client(live_server, "staff.vlg") as staff:
        day = date.fromisoformat(next_open_day(staff))
    birth = day.replace(year=day.year - 15) - timedelta(days=60)
    run_sql(database_url, "UPDATE app_user SET birth_date = $1 WHERE login = 'learner1'", birth)
    with api_client(live_server, "admin") as admin:
        rules = next(row for row in admin.get("/api/policies", params={"site": "vlg"}).json()
                     if row["kind"] == "printer_3d" and row["resource"] is None)
        body = {key: rules[key] for key in ("unit", "slot_minutes", "min_length", "max_length", "max_days_ahead",
                                            "buffer_minutes", "may_end_after_closing", "checkout_grace_minutes",
                                            "max_active_bookings", "max_hours_per_week", "training_id")}
        assert admin.put("/api/policies/vlg/printer_3d", json={**body, "min_age": 16}).status_code == 200
    with api_client(live_server, "learner1") as learner:
        too_young = learner.post("/api/bookings", json={"site": "vlg", "kind": "printer_3d",
                                                        "starts_at": iso(day, 10), "ends_at": iso(day, 11)})
        no_consent = learner.post("/api/bookings", json={"site": "vlg", "kind": "room",
                                                         "starts_at": iso(day, 10), "ends_at": iso(day, 11)})
    assert (too_young.status_code, too_young.json()["code"]) == (422, "too_young"), too_young.text
    assert (no_consent.status_code, no_consent.json()["code"]) == (422, "consent_required"), no_consent.text
    phone = phone_factory(width=360)
    page = phone.goto("/")
    worded = page.evaluate("""async (problems) => {
        const {ApiError, errorMessage} = await import('/js/api.js');
        return problems.map((p) => errorMessage(new ApiError(422, p.code, p.detail, p)));
    }""", [too_young.json(), no_consent.json()])
    assert "16 ans minimum (15 ans ce jour-là)" in worded[0], worded
    assert "Passez à l’accueil du fablab" in worded[1], worded
