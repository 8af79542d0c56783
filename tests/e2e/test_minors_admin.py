"""The minors' admin settings on an admin's phone (issue 30), a Pixel 5 in French at 360 px: a site's
consent text written then changed (a new version, the one the guardian then reads and signs), a
minimum age of 16 for 3D printers, and how long minors' consents are kept."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.support.browser import api_client, no_horizontal_scroll, run_sql, serious_violations, sign_in
from tests.support.paths import ROOT

SCREENS = ROOT / "var" / "screens"
SCREENS.mkdir(parents=True, exist_ok=True)
FIRST = "J’autorise mon enfant à participer aux ateliers du fablab."
SECOND = ("J’autorise mon enfant à participer aux ateliers du fablab, encadrés par l’équipe.\n"
          "En cas d’urgence, l’équipe appelle les secours puis le ou la responsable.")


def checked(page, name: str) -> None:
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.screenshot(scale="css", path=f"{SCREENS}/minors-admin-{name}.png", full_page=True)


def test_the_admin_writes_a_new_consent_text_version_and_the_guardian_signs_that_one(phone_factory, live_server,
                                                                                     database_url):
    admin = phone_factory(width=360)
    sign_in(admin, "admin")
    page = admin.goto("/#/admin")
    # The home screen's link to the expiring consents also says "autorisations parentales": wait
    # until the admin hub is shown.
    page.get_by_role("heading", name="Administration", exact=True).wait_for()
    page.get_by_role("link", name=re.compile("^Autorisations parentales")).click()
    page.get_by_role("heading", name="Autorisations parentales").wait_for()
    page.get_by_label("Site").select_option(label="Villeneuve-la-Garenne")
    form = page.locator("form.consent-text-form", has=page.get_by_role("heading", name="Villeneuve-la-Garenne"))
    form.get_by_text("Ce site n’a pas encore de texte").wait_for()
    form.get_by_label("Texte de l’autorisation").fill(FIRST)
    form.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(page.get_by_role("status")).to_have_text("Version 1 enregistrée pour Villeneuve-la-Garenne.")
    # The same text again would only copy version 1: refused on the phone, nothing sent.
    form.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(page.get_by_role("alert")).to_contain_text("Le texte n’a pas changé")
    form.get_by_label("Texte de l’autorisation").fill(SECOND)
    form.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(page.get_by_role("status")).to_have_text("Version 2 enregistrée pour Villeneuve-la-Garenne.")
    expect(form.locator(".consent-text-version")).to_contain_text("Version 2 en vigueur depuis le")
    checked(page, "01-consent-text")
    with api_client(live_server, "staff.vlg") as staff:
        current = staff.get("/api/sites/vlg/consent-text").json()
        assert (current["version"], current["text"]) == (2, SECOND)
        assert staff.get("/api/sites/pfs/consent-text").json() is None
        # A 13-year-old with a guardian: the signing screen shows the text's new version.
        birth = date.today().replace(year=date.today().year - 13) - timedelta(days=60)
        [young] = run_sql(database_url, "UPDATE app_user SET birth_date = $1, birth_year = $2 WHERE login = 'learner1' "
                                        "RETURNING id, name", birth, birth.year)
        added = staff.post(f"/api/users/{young['id']}/guardians", json={"name": "Samira Benali", "relation": "mère",
                                                                         "email": "samira@example.org"})
        assert added.status_code == 201, added.text
    page = admin.goto(f"/#/people/{young['id']}/minor")
    page.get_by_role("button", name="Faire signer sur ce téléphone").click()
    signing = page.locator(".consent-signing")
    signing.get_by_role("heading", name="Autorisation parentale (version 2)").wait_for()
    assert signing.locator(".consent-text").inner_text() == SECOND
    assert admin.errors() == []


def test_the_admin_sets_a_minimum_age_for_3d_printers_and_the_minors_retention(phone_factory, live_server):
    admin = phone_factory(width=360)
    sign_in(admin, "admin")
    page = admin.goto("/#/admin/policies")
    page.get_by_label("Site").select_option(label="Villeneuve-la-Garenne")
    page.get_by_label("Type de matériel").select_option(label="Imprimante 3D")
    rules = page.locator("section", has=page.get_by_role("heading", name="Règles pour : Imprimante 3D"))
    expect(rules.get_by_label("Âge minimum (ans)")).to_have_value("")
    rules.get_by_label("Âge minimum (ans)").fill("16")
    rules.get_by_role("button", name="Enregistrer les règles").click()
    expect(page.get_by_role("status")).to_contain_text("Règles enregistrées pour : Imprimante 3D.")
    rules.get_by_label("Âge minimum (ans)").scroll_into_view_if_needed()
    checked(page, "02-min-age")
    with api_client(live_server, "learner1") as learner:
        printers = [p for p in learner.get("/api/policies", params={"site": "vlg"}).json() if p["kind"] == "printer_3d"]
    assert [(p["resource"], p["min_age"]) for p in printers if p["resource"] is None] == [(None, 16)]
    # Shown again when the screen comes back, and kept when other rules are saved (the form used to
    # send no age, which the server took as none).
    page.reload()
    page.get_by_label("Site").select_option(label="Villeneuve-la-Garenne")
    page.get_by_label("Type de matériel").select_option(label="Imprimante 3D")
    expect(rules.get_by_label("Âge minimum (ans)")).to_have_value("16")
    rules.get_by_label("Réservable combien de jours à l’avance").fill("21")
    rules.get_by_role("button", name="Enregistrer les règles").click()
    expect(page.get_by_role("status")).to_contain_text("Règles enregistrées pour : Imprimante 3D.")
    with api_client(live_server, "learner1") as learner:
        [kind_rules] = [p for p in learner.get("/api/policies", params={"site": "vlg"}).json()
                        if p["kind"] == "printer_3d" and p["resource"] is None]
    assert (kind_rules["max_days_ahead"], kind_rules["min_age"]) == (21, 16)

    page = admin.goto("/#/admin")
    retention = page.locator("form", has=page.get_by_role("heading", name="Mineur·es : conservation des autorisations"))
    with api_client(live_server, "admin") as api:
        assert api.get("/api/admin/minors-retention").json()["is_default"] is True
        expect(retention.get_by_label("Délai après la fin d’une autorisation (jours)")).to_have_value(
            str(api.get("/api/admin/minors-retention").json()["days"]))
        retention.get_by_label("Délai après la fin d’une autorisation (jours)").fill("120")
        retention.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_role("status")).to_have_text("Enregistré.")
        assert api.get("/api/admin/minors-retention").json() == {"days": 120, "is_default": False}
    retention.scroll_into_view_if_needed()
    checked(page, "03-retention")
    assert admin.errors() == []
