"""The desk lends only after a confirmation naming the learner and the return time, for each kind,
by name and by pass; a lent item says "Prêté à …" everywhere; a damaged return's note is in the history."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import api_client, no_horizontal_scroll, run_sql, serious_violations, sign_in

PARIS = ZoneInfo("Europe/Paris")
# "jusqu’au mar. 8 déc. 18:00": a French day, date, month and time, never ISO.
FRENCH_WHEN = r"jusqu’au (lun|mar|mer|jeu|ven|sam|dim)\. \d{1,2} [a-zéû]+\.? \d{2}:\d{2}"


def loans_of(database_url: str, tag: str) -> list:
    return run_sql(database_url, "SELECT b.status, b.ends_at, u.login FROM booking b JOIN resource r ON r.id = b.resource_id "
                                 "JOIN app_user u ON u.id = b.user_id WHERE r.tag = $1", tag)


def hh_mm(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%H:%M")


def test_staff_lend_a_laptop_by_name_after_a_confirmation_and_cancelling_lends_nothing(phone_factory, database_url):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/t/VLG-LAP-008")
    page.get_by_role("heading", name="Prêter").wait_for()
    # The return date comes first, filled in.
    due = page.get_by_label("Retour prévu le")
    assert due.input_value()
    assert page.locator("#h-checkout ~ .field").first.locator("input[type=datetime-local]").count() == 1
    page.get_by_label("Chercher un·e apprenant·e").fill("yan")
    picks = page.locator("button.pick")
    picks.filter(has_text="Rayan R.").wait_for()
    picks.filter(has_text="Yanis N.").click()
    confirm = page.locator(".confirm-lend")
    confirm.wait_for()
    question = confirm.locator(".question").inner_text()
    assert re.fullmatch(rf"Prêter Portable 08 à Yanis N\. {FRENCH_WHEN} ?\?", question.replace("\u00a0", " ")), question
    assert due.input_value()[-5:] in question  # the time asked is the one in the field
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot("desk-01-confirmer-pret-par-nom")

    confirm.get_by_role("button", name="Annuler").click()
    page.get_by_text("Rien n’a été prêté.").wait_for()
    assert loans_of(database_url, "VLG-LAP-008") == []

    picks.filter(has_text="Yanis N.").click()
    confirm.get_by_role("button", name="Prêter", exact=True).click()
    page.locator("#toast").get_by_text(re.compile("^Prêté à Yanis N. jusqu’au")).wait_for()
    page.get_by_role("heading", name="Retour", exact=True).wait_for()
    [loan] = loans_of(database_url, "VLG-LAP-008")
    assert (loan["status"], loan["login"]) == ("checked_out", "learner4")
    assert hh_mm(loan["ends_at"]) in question
    facts = page.locator(".facts").inner_text()
    assert "Prêté à Yanis N. jusqu’au" in facts and "Disponible" not in facts
    assert page.locator("#h-history ~ div").get_by_text("Prêté à Yanis N.").is_visible()
    phone.shot("desk-02-etiquette-pretee")

    page = phone.goto("/#/inventory?kind=laptop")
    row = page.locator("li.item", has_text="VLG-LAP-008")
    row.get_by_text("Prêté à Yanis N. jusqu’au").wait_for()
    assert "Disponible" not in row.inner_text()
    assert no_horizontal_scroll(page)
    phone.shot("desk-03-inventaire-prete")
    assert phone.errors() == []


def test_staff_lend_a_printer_by_pass_and_see_whose_pass_it_is(phone_factory, live_server, database_url):
    with api_client(live_server, "learner3") as learner:  # learner3 holds the printer training
        pass_url = learner.get("/api/me/pass").json()["url"]
    name = run_sql(database_url, "SELECT name FROM app_user WHERE login = 'learner3'")[0]["name"]
    phone = phone_factory()
    sign_in(phone, "staff.vlg")
    page = phone.goto("/t/VLG-P3D-001")
    page.get_by_label("Code du pass").fill(pass_url)
    page.get_by_role("button", name="Valider").click()
    confirm = page.locator(".confirm-lend")
    confirm.get_by_text(f"Pass de {name} (learner3).").wait_for()
    question = confirm.locator(".question").inner_text()
    assert question.startswith(f"Prêter Imprimante 3D 1 à {name} jusqu’au"), question
    assert re.search(FRENCH_WHEN, question)
    assert loans_of(database_url, "VLG-P3D-001") == []  # asking lends nothing
    phone.shot("desk-04-confirmer-pret-par-pass")
    confirm.get_by_role("button", name="Prêter", exact=True).click()
    page.get_by_role("heading", name="Retour", exact=True).wait_for()
    [loan] = loans_of(database_url, "VLG-P3D-001")
    assert loan["login"] == "learner3" and hh_mm(loan["ends_at"]) in question
    assert f"Prêté à {name} jusqu’au" in page.locator(".facts").inner_text()
    assert phone.errors() == []


@pytest.mark.parametrize("desk", ["staff.vlg", "admin"])
def test_staff_and_admins_lend_a_room_by_name_with_a_return_time_of_their_own(phone_factory, database_url, desk):
    phone = phone_factory()
    sign_in(phone, desk)
    page = phone.goto("/t/VLG-ROOM-001")
    page.get_by_role("heading", name="Prêter").wait_for()
    chosen = (datetime.now(PARIS) + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    page.get_by_label("Retour prévu le").fill(chosen.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Chercher un·e apprenant·e").fill("learner5")
    page.locator("button.pick", has_text="learner5").click()
    question = page.locator(".confirm-lend .question").inner_text()
    assert f"jusqu’au" in question and chosen.strftime("%H:%M") in question, question
    page.locator(".confirm-lend").get_by_role("button", name="Prêter", exact=True).click()
    page.get_by_role("heading", name="Retour", exact=True).wait_for()
    [loan] = loans_of(database_url, "VLG-ROOM-001")
    assert loan["login"] == "learner5" and loan["ends_at"] == chosen.astimezone(timezone.utc)
    phone.shot(f"desk-05-salle-pretee-{desk}")
    assert phone.errors() == []


def test_an_overdue_loan_says_so_and_a_damaged_return_note_is_in_the_history(phone_factory, live_server, database_url):
    with api_client(live_server, "staff.vlg") as staff:
        due = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
        assert staff.post("/api/checkouts", json={"tag": "VLG-LAP-003", "user": "learner3", "due_at": due}).status_code == 201
    # Make it late: the due time two hours ago.
    run_sql(database_url, "UPDATE booking SET starts_at = now() - interval '5 hours', ends_at = now() - interval '2 hours', blocked_until = now() - interval '2 hours' "
                          "WHERE status = 'checked_out'")
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/t/VLG-LAP-003")
    facts = page.locator(".facts")
    facts.get_by_text("En retard").wait_for()
    assert "Prêté à" in facts.inner_text() and "Disponible" not in facts.inner_text()
    page = phone.goto("/#/inventory?kind=laptop")
    page.locator("li.item", has_text="VLG-LAP-003").get_by_text("En retard").wait_for()

    page = phone.goto("/t/VLG-LAP-003")
    page.get_by_label("État au retour").select_option("damaged")
    page.get_by_label("Remarque").first.fill("Écran fissuré")
    page.get_by_role("button", name="Enregistrer le retour").click()
    page.get_by_role("heading", name="Retour", exact=True).wait_for(state="detached")
    history = page.locator("ol.history")
    history.get_by_text("Écran fissuré").first.wait_for()
    assert history.get_by_text(re.compile("^Rendu par .* — Abîmé$")).is_visible()
    assert history.get_by_text("Mis en maintenance").is_visible()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot("desk-06-historique-retour-abime")
    assert phone.errors() == []


def test_an_unknown_tag_offers_the_way_back_to_scanning(phone_factory):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/t/VLG-XYZ-999")
    page.get_by_role("heading", name="Étiquette inconnue").wait_for()
    phone.shot("desk-07-etiquette-inconnue")
    page.get_by_role("link", name="Scanner une autre étiquette").click()
    page.get_by_role("heading", name="Scanner", level=1).wait_for()
    assert phone.errors(allowed_statuses=(404,)) == []


def test_a_pass_read_on_the_scan_screen_names_its_learner_then_lends_a_room(phone_factory, live_server, database_url):
    with api_client(live_server, "learner4") as learner:
        pass_url = learner.get("/api/me/pass").json()["url"]
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/scan")
    page.get_by_label("Code de l’étiquette").fill(pass_url)
    page.get_by_role("button", name="Valider").click()
    page.get_by_text("Pass de Yanis N. (learner4) lu.").wait_for()
    phone.shot("desk-08-pass-lu")
    page.get_by_label("Code de l’étiquette").fill("vlg-room-002")
    page.get_by_role("button", name="Valider").click()
    page.get_by_text("Pass de Yanis N. (learner4).").first.wait_for()
    page.get_by_role("button", name="Prêter au pass lu").click()
    question = page.locator(".confirm-lend .question").inner_text()
    assert question.startswith("Prêter Salle Grace Hopper à Yanis N. jusqu’au"), question
    assert loans_of(database_url, "VLG-ROOM-002") == []
    page.locator(".confirm-lend").get_by_role("button", name="Prêter", exact=True).click()
    page.get_by_role("heading", name="Retour", exact=True).wait_for()
    [loan] = loans_of(database_url, "VLG-ROOM-002")
    assert loan["login"] == "learner4" and hh_mm(loan["ends_at"]) in question
    assert phone.errors() == []


def test_a_visiting_learner_of_another_site_borrows_this_sites_item_by_pass(phone_factory, live_server, database_url):
    """Issue 28: staff of Pierrefitte lend one of their laptops to a Villeneuve learner who shows
    their pass; the desk says who it is and that they are visiting, and the laptop stays Pierrefitte's."""
    with api_client(live_server, "learner4") as learner:
        pass_url = learner.get("/api/me/pass").json()["url"]
    phone = phone_factory(width=360)
    sign_in(phone, "staff.pfs")
    page = phone.goto("/#/scan")
    page.get_by_label("Code de l’étiquette").fill(pass_url)
    page.get_by_role("button", name="Valider").click()
    page.get_by_text("Pass de Yanis N. (learner4) lu.").wait_for()
    page.get_by_text("Apprenant·e de Villeneuve-la-Garenne, en visite").wait_for()
    assert no_horizontal_scroll(page)
    phone.shot("desk-11-pass-apprenant-en-visite")
    page.get_by_label("Code de l’étiquette").fill("pfs-lap-003")
    page.get_by_role("button", name="Valider").click()
    confirm = page.locator(".confirm-lend")
    confirm.wait_for()
    assert confirm.locator(".question").inner_text().startswith("Prêter Portable 03 à Yanis N. jusqu’au")
    phone.shot("desk-12-pret-apprenant-en-visite")
    confirm.get_by_role("button", name="Prêter", exact=True).click()
    page.get_by_role("heading", name="Retour", exact=True).wait_for()
    [loan] = loans_of(database_url, "PFS-LAP-003")
    assert loan["login"] == "learner4" and loan["status"] == "checked_out"
    assert phone.errors() == []


def test_lending_while_the_fablab_is_closed_offers_a_return_time_and_lends_with_it(phone_factory, database_url):
    # Open only on the day after tomorrow's weekday: closed now, whatever the hour the test runs.
    later = datetime.now(PARIS) + timedelta(days=2)
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[later.weekday()]
    run_sql(database_url, "UPDATE site SET opening_hours = $1::jsonb WHERE slug = 'vlg'",
            '{"%s": [["09:00", "18:00"]]}' % weekday)
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/t/VLG-LAP-011")
    hint = page.get_by_text(re.compile("^Le fablab est fermé en ce moment"))
    hint.wait_for()
    assert re.search(r"prochaine ouverture : (lun|mar|mer|jeu|ven|sam|dim)\. \d{1,2} [a-zéû]+\.? 09:00", hint.inner_text())
    assert page.get_by_label("Retour prévu le").input_value().endswith("T18:00")
    phone.shot("desk-09-pret-fablab-ferme")
    page.get_by_label("Chercher un·e apprenant·e").fill("learner6")
    page.locator("button.pick", has_text="learner6").click()
    question = page.locator(".confirm-lend .question").inner_text()
    assert "18:00" in question
    page.locator(".confirm-lend").get_by_role("button", name="Prêter", exact=True).click()
    page.get_by_role("heading", name="Retour", exact=True).wait_for()
    [loan] = loans_of(database_url, "VLG-LAP-011")
    assert loan["login"] == "learner6" and hh_mm(loan["ends_at"]) == "18:00"
    assert loan["ends_at"].astimezone(PARIS).date() >= later.date()
    assert phone.errors() == []
