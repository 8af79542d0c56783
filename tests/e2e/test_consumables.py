"""Consumables in the browser (issue 19), on a 360 px phone: staff add a spool and restock it on the
Stock screen, a low one is marked there and on Aujourd'hui; at a printer's return the desk enters
the grams and the result, is warned of a learner's budget and confirms; the learner sees their month."""

from __future__ import annotations

import re

from tests.support.browser import api_client, no_horizontal_scroll, run_sql, serious_violations, sign_in

SHOTS = "consumables"


def stock_of(database_url: str, name: str) -> int:
    return run_sql(database_url, "SELECT quantity FROM consumable WHERE name = $1", name)[0]["quantity"]


def test_staff_add_a_spool_restock_it_and_see_it_low(phone_factory, database_url):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/")
    page.get_by_role("button", name="Menu").click()
    page.locator("#nav-menu").get_by_role("link", name="Stock").click()
    page.get_by_role("heading", name="Stock des consommables").wait_for()
    page.get_by_text("Aucun consommable sur ce site pour l’instant.").wait_for()

    form = page.locator("form", has=page.get_by_role("heading", name="Nouveau consommable"))
    form.get_by_label("Nom").fill("PLA noir")
    form.get_by_label("Unité").select_option("g")
    form.get_by_label("Stock de départ").fill("1000")
    form.get_by_label("Seuil de stock bas").fill("200")
    form.get_by_role("button", name="Ajouter").click()
    page.locator("#toast").get_by_text("PLA noir ajouté.").wait_for()
    row = page.locator("li.consumable", has_text="PLA noir")
    row.get_by_text("1\u202f000 g en stock").wait_for()  # numbers written the French way (issue 28)
    assert stock_of(database_url, "PLA noir") == 1000

    row.locator("summary").click()
    row.get_by_label("Opération").select_option("restock")
    row.get_by_label("Quantité (g)").fill("500")
    row.get_by_label("Remarque (facultatif)").fill("Bobine reçue")
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot(f"{SHOTS}-01-reapprovisionner")
    row.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator("#toast").get_by_text("Enregistré : il reste 1\u202f500 g de PLA noir.").wait_for()
    assert stock_of(database_url, "PLA noir") == 1500

    row = page.locator("li.consumable", has_text="PLA noir")
    row.locator("summary").click()
    row.get_by_label("Opération").select_option("use")
    row.get_by_label("Quantité (g)").fill("1400")
    row.get_by_role("button", name="Enregistrer", exact=True).click()
    page.locator("#toast").get_by_text("Enregistré : il reste 100 g de PLA noir.").wait_for()
    low = page.locator("li.consumable-low", has_text="PLA noir")
    low.locator(".badge", has_text="Stock bas").wait_for()
    # Asking for more than is left is refused, with what is left.
    low.locator("summary").click()
    low.get_by_label("Opération").select_option("use")
    low.get_by_label("Quantité (g)").fill("150")
    low.get_by_role("button", name="Enregistrer", exact=True).click()
    low.get_by_text("Stock insuffisant : il reste 100 g de PLA noir.").wait_for()
    assert stock_of(database_url, "PLA noir") == 100
    assert no_horizontal_scroll(page)
    phone.shot(f"{SHOTS}-02-stock-bas")

    page = phone.goto("/#/today")
    block = page.locator("section.low-stock")
    block.get_by_text("100 g restant(s), seuil 200 g").wait_for()
    assert no_horizontal_scroll(page)
    phone.shot(f"{SHOTS}-03-aujourdhui-stock-bas")
    assert phone.errors(allowed_statuses=(409,)) == []


def test_the_desk_enters_the_grams_of_a_failed_print_and_confirms_over_budget(phone_factory, live_server,
                                                                             database_url):
    with api_client(live_server, "staff.vlg") as staff:
        spool = staff.post("/api/consumables", json={"site": "vlg", "name": "PLA blanc", "unit": "g", "quantity": 1000,
                                                     "low_threshold": 100, "monthly_budget_per_learner": 30}).json()
        # Not for this printer (PLA, PETG): the return does not ask for it (issue 28).
        staff.post("/api/consumables", json={"site": "vlg", "name": "Résine grise", "unit": "ml", "quantity": 500,
                                             "low_threshold": 100})
    run_sql(database_url,
            "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, status, "
            "checked_out_at) SELECT r.id, r.site_id, r.kind, u.id, now() - interval '2 hours', now() + interval '1 hour', "
            "now() + interval '1 hour', 'checked_out', now() - interval '2 hours' FROM resource r, app_user u "
            "WHERE r.tag = 'VLG-P3D-001' AND u.login = 'learner3'")
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/t/VLG-P3D-001")
    page.get_by_role("heading", name="Retour", exact=True).wait_for()
    page.get_by_label("PLA blanc (g, 1\u202f000 en stock)").fill("37")
    assert page.locator(".consumables-used").get_by_text("Résine grise").count() == 0
    page.get_by_label("Résultat de l’impression").select_option("failed")
    assert no_horizontal_scroll(page)
    phone.shot(f"{SHOTS}-04-retour-imprimante-grammes")
    page.get_by_role("button", name="Enregistrer le retour").click()

    warning = page.locator(".confirm-over")
    warning.get_by_text(re.compile(r"PLA blanc : 37 g ce mois-ci pour cette personne, au-delà de son budget de 30 g")).wait_for()
    assert stock_of(database_url, "PLA blanc") == 1000  # the dry run kept nothing
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot(f"{SHOTS}-05-budget-depasse")
    warning.get_by_role("button", name="Enregistrer le retour quand même").click()
    page.locator("#toast").get_by_text("Retour enregistré.").wait_for()
    assert stock_of(database_url, "PLA blanc") == 963
    [log] = run_sql(database_url, "SELECT outcome FROM print_log")
    assert log["outcome"] == "failed"
    prints = page.locator("#h-prints ~ div")
    prints.get_by_text("37 g · 2 h 0 min").wait_for()
    assert "Échouée" in prints.inner_text()
    phone.shot(f"{SHOTS}-06-journal-impressions")
    assert phone.errors() == []

    learner = phone_factory(width=360)
    sign_in(learner, "learner3")
    block = learner.page.locator(".my-consumption")
    block.get_by_text("PLA blanc : 37 g sur 30 g").wait_for()
    assert no_horizontal_scroll(learner.page)
    learner.shot(f"{SHOTS}-07-ma-consommation")

    page = phone.goto("/#/reports?site=vlg")
    section = page.locator("section", has=page.get_by_role("heading", name="Consommation du mois"))
    section.get_by_text(re.compile(r"PLA blanc : 37 g utilisés")).wait_for()
    assert "100 %" in section.inner_text().replace("\u202f", " ").replace("\u00a0", " ")
    section.scroll_into_view_if_needed()
    assert no_horizontal_scroll(page)
    phone.shot(f"{SHOTS}-08-rapport-consommation")
    assert phone.errors() == [] and learner.errors() == []
