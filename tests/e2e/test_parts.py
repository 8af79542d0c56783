"""A laptop lent with its charger comes back without it (issue 19), in the browser at 360 px: the desk
adds the parts, ticks them at the check-out, unticks the charger at the return; Aujourd'hui shows it
missing, the learner sees it in their bookings, and the desk records it brought back."""

from __future__ import annotations

import re

from tests.support.browser import no_horizontal_scroll, run_sql, serious_violations, sign_in

LAPTOP = "VLG-LAP-003"


def add_part(page, name: str, tag: str = "") -> None:
    card = page.locator("section", has=page.locator("#h-parts"))
    card.get_by_label("Nom de la pièce").fill(name)
    if tag:
        card.get_by_label("Étiquette de la pièce (facultatif)").fill(tag)
    card.get_by_role("button", name="Ajouter la pièce").click()
    page.locator("#toast").get_by_text(f"Pièce ajoutée : {name}.").wait_for()
    page.locator("ul.parts li", has_text=name).wait_for()


def custody_log(database_url: str) -> list[tuple]:
    rows = run_sql(database_url, "SELECT m.kind, m.condition, p.name FROM movement m JOIN resource r ON r.id = m.resource_id "
                                 "LEFT JOIN part p ON p.id = m.part_id WHERE r.tag = $1 ORDER BY m.id", LAPTOP)
    return [(row["kind"], row["condition"], row["name"]) for row in rows]


def lend_with_every_part_ticked(page) -> None:
    ticks = page.locator("#h-checkout ~ fieldset.parts-ticks")
    assert ticks.get_by_role("checkbox", name="Chargeur").is_checked()
    assert ticks.get_by_role("checkbox", name="Souris").is_checked()
    page.get_by_label("Chercher un·e apprenant·e").fill("learner1")
    page.locator("button.pick", has_text="Inès D.").click()
    confirm = page.locator(".confirm-lend")
    confirm.get_by_text("Avec : Chargeur, Souris.").wait_for()


def take_back_without_the_charger(phone, page) -> None:
    back = page.locator("form", has=page.locator("#h-checkin"))
    back.get_by_role("checkbox", name="Chargeur").uncheck()
    assert back.get_by_role("checkbox", name="Souris").is_checked()
    assert no_horizontal_scroll(page)
    phone.shot("parts-03-retour-sans-chargeur")
    back.get_by_role("button", name="Enregistrer le retour").click()
    page.locator("#toast").get_by_text("Retour incomplet : il manque le chargeur.").wait_for()


def record_the_charger_brought_back(desk, database_url: str) -> None:
    page = desk.goto(f"/t/{LAPTOP}")
    charger = page.locator("ul.parts li", has_text="Chargeur")
    charger.get_by_role("button", name="Noter son retour").click()
    charger.get_by_role("button", name="Confirmer le retour : Chargeur").click()
    page.locator("#toast").get_by_text("Chargeur : retour enregistré.").wait_for()
    page.locator("ul.parts li", has_text="Chargeur").get_by_text("Au comptoir").wait_for()
    page.locator("#h-history ~ div").get_by_text(re.compile("^Rapporté par .+ : Chargeur")).wait_for()
    assert custody_log(database_url)[-1] == ("part_returned", None, "Chargeur")
    desk.shot("parts-07-chargeur-rapporte")


def test_a_laptop_comes_back_without_its_charger_and_the_charger_later(phone_factory, database_url):
    desk = phone_factory(width=360)
    sign_in(desk, "staff.vlg")
    page = desk.goto(f"/t/{LAPTOP}")
    page.get_by_role("heading", name=re.compile("^Pièces")).wait_for()
    add_part(page, "Chargeur", "VLG-CHG-003")
    add_part(page, "Souris")
    assert page.locator("ul.parts li", has_text="Chargeur").get_by_text("Au comptoir").is_visible()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    desk.shot("parts-01-pieces-au-comptoir")

    lend_with_every_part_ticked(page)
    desk.shot("parts-02-confirmer-pret-avec-pieces")
    page.locator(".confirm-lend").get_by_role("button", name="Prêter", exact=True).click()
    page.get_by_role("heading", name="Retour", exact=True).wait_for()
    take_back_without_the_charger(desk, page)

    charger = page.locator("ul.parts li", has_text="Chargeur")
    # Worded for a part of either gender: a charger was "Manquante : gardée par" (issue 28 walk).
    charger.get_by_text(re.compile("^Toujours chez .+, depuis le")).wait_for()
    history = page.locator("#h-history ~ div")
    history.get_by_text(re.compile("— Incomplet")).wait_for()
    assert history.get_by_text(re.compile(r"^Manque au retour : Chargeur \(chez ")).is_visible()
    assert custody_log(database_url) == [("check_out", None, None), ("check_in", "incomplete", None),
                                         ("part_missing", None, "Chargeur")]
    assert serious_violations(page) == []
    desk.shot("parts-04-chargeur-manquant")

    page = desk.goto("/#/today")
    missing = page.locator("section", has=page.locator("#h-missing-parts"))
    missing.get_by_text("(1)").wait_for()
    assert "Chargeur" in missing.inner_text() and "learner1" in missing.inner_text()
    assert no_horizontal_scroll(page)
    desk.shot("parts-05-aujourdhui-pieces-manquantes")

    learner = phone_factory(width=360)
    sign_in(learner, "learner1")
    mine = learner.goto("/#/bookings")
    own = mine.locator("section", has=mine.locator("#h-missing-parts"))
    own.get_by_text("Chargeur").wait_for()
    assert "Rapportez-les au comptoir" in own.inner_text() and LAPTOP in own.inner_text()
    assert no_horizontal_scroll(mine)
    assert serious_violations(mine) == []
    learner.shot("parts-06-apprenant-pieces-a-rapporter")

    record_the_charger_brought_back(desk, database_url)
    page = desk.goto("/#/today")
    page.locator("section", has=page.locator("#h-missing-parts")).get_by_text("(0)").wait_for()
    mine.reload()  # the same address again: a new visit, not a hash change
    mine.locator("#h-current").wait_for()
    assert mine.locator("#h-missing-parts").count() == 0
    assert desk.errors() == [] and learner.errors() == []
