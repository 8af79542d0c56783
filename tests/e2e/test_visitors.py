"""The desk's visitors in the browser (issue 30), on a 360 px phone in French: staff welcome a visitor
in a few taps (first name, initial, age band, what they came for, a pass for three days), get the pass
to show or print (QR, typed code, days), and find them in today's list; an admin sets the delay after
which visitors are forgotten. Screenshots in var/screens/visitors-*.png."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.support.browser import api_client, no_horizontal_scroll, serious_violations, sign_in
from tests.support.paths import ROOT

SCREENS = ROOT / "var" / "screens"
PARIS = ZoneInfo("Europe/Paris")


def shot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(scale="css", path=str(SCREENS / f"visitors-{name}.png"), full_page=True)


def test_the_desk_welcomes_a_visitor_and_prints_their_pass(phone_factory, live_server):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/")
    page.get_by_role("button", name="Menu").click()
    page.locator("#nav-menu").get_by_role("link", name="Visiteurs").click()
    page.get_by_role("heading", name="Visiteurs", level=1).wait_for()
    page.get_by_text("Aucun visiteur aujourd’hui sur ce site.").wait_for()

    form = page.locator("form.visitor-form")
    # Spaces pass the browser's `required`: the form asks for the name again, under the form's fields.
    form.get_by_label("Prénom").fill("   ")
    form.get_by_role("button", name="Créer le pass").click()
    expect(form.get_by_role("alert")).to_have_text("Écrivez le prénom du visiteur.")
    expect(form.get_by_label("Prénom")).to_be_focused()
    form.get_by_label("Prénom").fill("Inès")
    form.get_by_label("Initiale du nom").fill("b")
    form.get_by_label("Tranche d’âge (facultatif)").select_option(label="16-17 ans")
    form.get_by_label("Venu·e pour").fill("Découvrir le fablab")
    form.get_by_label("Pass valable").select_option(label="3 jours, à partir d’aujourd’hui")
    assert no_horizontal_scroll(page)
    shot(page, "01-formulaire")
    form.get_by_role("button", name="Créer le pass").click()

    page.get_by_role("heading", name="Pass visiteur d’Inès B.").wait_for()
    page.locator("#toast").get_by_text("Pass créé pour Inès B.").wait_for()
    card = page.locator(".visitor-pass")
    expect(card.locator("img.pass-qr")).to_be_visible()
    expect(card.locator(".pass-valid")).to_have_text(re.compile(r"^Valable du .+ au .+$"))
    with api_client(live_server, "staff.vlg") as staff:
        [made] = staff.get("/api/visitors", params={"site": "vlg"}).json()
        code = staff.get(f"/api/visitors/{made['id']}").json()["pass"]["code"]
    assert (made["name"], made["age_band"], made["purpose"]) == ("Inès B.", "16_17", "Découvrir le fablab")
    expect(card.locator(".pass-code strong")).to_have_text(code)
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    shot(page, "02-pass")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Imprimer le pass")).to_be_hidden()
    shot(page, "03-pass-imprime")
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Nouveau visiteur").click()
    visitor = page.locator("li.visitor")
    expect(visitor.locator(".item-title")).to_have_text("Inès B.")
    expect(visitor.locator(".item-sub")).to_contain_text("Découvrir le fablab · ")
    expect(visitor.locator(".item-sub")).to_contain_text("16-17 ans")
    assert no_horizontal_scroll(page)
    shot(page, "04-liste-du-jour")
    assert phone.errors() == []


def test_an_admin_sets_when_visitors_are_forgotten(phone_factory, live_server):
    phone = phone_factory(width=360)
    sign_in(phone, "admin")
    page = phone.goto("/#/admin")
    delay = page.locator("form", has=page.get_by_role("heading", name="Visiteurs : oubli automatique"))
    expect(delay.get_by_label("Délai après la fin du pass (jours)")).to_have_value("30")
    delay.get_by_label("Délai après la fin du pass (jours)").fill("45")
    delay.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Enregistré").first.wait_for()
    with api_client(live_server, "admin") as admin:
        assert admin.get("/api/admin/visitor-retention").json() == {"days": 45, "is_default": False}
    assert no_horizontal_scroll(page)
    shot(page, "05-admin-delai")
    assert phone.errors() == []


def test_staff_open_a_workshop_to_visitors_who_then_sign_up_with_their_pass(phone_factory, live_server):
    day = (datetime.now(PARIS) + timedelta(days=2)).date()
    with api_client(live_server, "staff.vlg") as staff:
        made = staff.post("/api/workshops", json={
            "site": "vlg", "title": "Portes ouvertes", "capacity": 20,
            "starts_at": datetime.combine(day, time(14), PARIS).isoformat(),
            "ends_at": datetime.combine(day, time(17), PARIS).isoformat()})
        assert made.status_code == 201, made.text
        workshop = made.json()
        visitor = staff.post("/api/visitors", json={"first_name": "Yanis", "valid_from": day.isoformat()}).json()
        sign_up = {"participant": visitor["id"]}
        refused = staff.post(f"/api/workshops/{workshop['id']}/registrations", json=sign_up)
        assert refused.json()["code"] == "workshop_not_open_to_visitors"
        phone = phone_factory(width=360)
        sign_in(phone, "staff.vlg")
        page = phone.goto(f"/#/workshops/{workshop['id']}")
        page.locator("details.edit-workshop summary").click()
        edit = page.locator("form.workshop-edit")
        edit.get_by_label("Ouvert aux visiteurs (avec leur pass)").check()
        edit.get_by_role("button", name="Enregistrer").click()
        expect(page.locator(".workshop-summary .open-to-visitors")).to_have_text("Ouvert aux visiteurs (avec leur pass)")
        assert no_horizontal_scroll(page)
        shot(page, "06-atelier-ouvert")
        # The desk's search says which "Yanis" is the visitor; a tap signs them up.
        page.get_by_label("Chercher un·e jeune").fill("Yanis")
        pick = page.locator("button.pick", has_text="visiteur ou visiteuse (pass)")
        pick.wait_for()
        pick.click()
        page.locator("#toast").get_by_text(re.compile("Yanis.*inscrit")).wait_for()
        registrations = staff.get(f"/api/workshops/{workshop['id']}/registrations").json()
        rows = registrations["registrations"] if isinstance(registrations, dict) else registrations
        assert visitor["id"] in {row.get("participant") for row in rows}, rows
    assert phone.errors() == []


def test_another_sites_staff_opening_a_visitors_pass_are_told_why_with_the_way_back(phone_factory, live_server):
    """Staff of Pierrefitte following a link to a Villeneuve visitor's pass got the app's "Oups" and a
    "Réessayer" that could only fail again: the pass screen says why and leads back to the visitors."""
    with api_client(live_server, "staff.vlg") as staff:
        visitor = staff.post("/api/visitors", json={"first_name": "Omar"}).json()
    phone = phone_factory(width=360)
    sign_in(phone, "staff.pfs")
    page = phone.goto(f"/#/visitors/{visitor['id']}")
    page.get_by_text("Cela concerne un autre site que les vôtres").wait_for()
    expect(page.get_by_role("button", name="Réessayer")).to_have_count(0)
    page.get_by_role("link", name="Visiteurs", exact=True).last.click()
    page.get_by_role("heading", name="Visiteurs", level=1).wait_for()
    shot(page, "07-pass-autre-site")
    assert phone.errors(allowed_statuses=(403,)) == []
