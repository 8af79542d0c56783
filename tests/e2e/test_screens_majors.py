"""Issue 28's major items in the browser, each as the role concerned (Pixel 5, fr-FR, 360 px): the
admin creates a learner on a site; staff granted a second site pick it once on every screen about a
site; a room slot that would end after closing is not offered; the reports' CSV opens as a French
spreadsheet; the learner import takes French columns and the site's name; and "a laptop tomorrow"
in three touches from the learner's home, "Mot de passe oublié ?" on the login screen."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.support.browser import api_client, next_open_day, no_horizontal_scroll, run_sql, sign_in

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def in_view(locator) -> bool:
    """The element is on the screen as it is now (not above or below the fold)."""
    return locator.evaluate("e => { const r = e.getBoundingClientRect();"
                            " return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }")


def test_the_admin_creates_a_learner_on_the_site_chosen(phone_factory, database_url):
    phone = phone_factory(width=360)
    sign_in(phone, "admin")
    page = phone.goto("/#/learners")
    page.get_by_role("heading", name="Nouvel·le apprenant·e").wait_for()
    form = page.locator("form", has=page.get_by_role("heading", name="Nouvel·le apprenant·e"))
    # The admin acts for every site: the form asks which one, each by its name.
    site = form.get_by_label("Site de l’apprenant·e")
    assert site.locator("option").all_inner_texts() == ["Pantin", "Pierrefitte-sur-Seine", "Villeneuve-la-Garenne"]
    form.get_by_label("Nom et prénom").fill("Léa Martin")
    form.get_by_label("Identifiant").fill("lea.martin")
    site.select_option(label="Villeneuve-la-Garenne")
    form.get_by_role("button", name="Créer et afficher l’invitation").click()
    page.get_by_text("Compte créé : Léa Martin").wait_for()
    rows = run_sql(database_url, "SELECT s.slug FROM app_user u JOIN site s ON s.id = u.site_id WHERE u.login = 'lea.martin'")
    assert [row["slug"] for row in rows] == ["vlg"]
    phone.shot("28-1-admin-apprenant-cree")
    # A refusal is said inside the form, where the admin is looking.
    form.get_by_label("Nom et prénom").fill("Léa Martin")
    form.get_by_label("Identifiant").fill("lea.martin")
    form.get_by_role("button", name="Créer et afficher l’invitation").click()
    refusal = form.locator(".notice.error")
    refusal.wait_for()
    assert in_view(refusal), "the refusal is out of view"
    assert "identifiant" in refusal.inner_text().lower()
    phone.shot("28-1-admin-refus-dans-le-formulaire")
    assert no_horizontal_scroll(page)
    assert phone.errors(allowed_statuses=(409, 422, 400)) == []


def test_staff_granted_a_second_site_pick_it_once_for_every_site_screen(phone_factory, database_url):
    run_sql(database_url, "INSERT INTO staff_site (user_id, site_id) SELECT u.id, s.id FROM app_user u CROSS JOIN site s "
                          "WHERE u.login = 'staff.vlg' AND s.slug IN ('vlg', 'pfs') ON CONFLICT DO NOTHING")
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/today")
    picker = page.get_by_label("Site", exact=True)
    picker.wait_for()
    # The sites this person acts for, never Pantin.
    assert picker.locator("option").all_inner_texts() == ["Pierrefitte-sur-Seine", "Villeneuve-la-Garenne"]
    picker.select_option(label="Pierrefitte-sur-Seine")
    page.locator(".lead", has_text="Pierrefitte-sur-Seine").wait_for()
    phone.shot("28-2-aujourdhui-pierrefitte")
    # Remembered: every other screen about a site opens on Pierrefitte.
    for route, lead in (("audit", "Pierrefitte-sur-Seine"), ("consumables", "Pierrefitte-sur-Seine"),
                        ("learners", "Site : Pierrefitte-sur-Seine")):
        page = phone.goto(f"/#/{route}")
        page.locator(".lead", has_text=lead).wait_for()
        assert page.get_by_label("Site", exact=True).input_value() == "pfs"
    # The learners listed are Pierrefitte's (learner11-20), not Villeneuve's.
    page.locator("details.learner").first.wait_for()
    logins = page.locator("details.learner .item-sub").all_inner_texts()
    assert logins and all(re.match(r"learner1\d|learner20", text) for text in logins), logins
    phone.shot("28-2-apprenants-pierrefitte")
    page = phone.goto("/#/inventory")
    page.get_by_role("heading", name="Inventaire").wait_for()
    assert page.get_by_label("Site", exact=True).input_value() == "pfs"
    assert page.get_by_role("heading", name="Nouvel objet").is_visible()
    # Pantin's equipment can be looked at, not managed: nothing is offered that could only fail.
    page.get_by_label("Site", exact=True).select_option(label="Pantin")
    page.get_by_text(re.compile("^Matériel d’un autre site")).wait_for()
    assert not page.get_by_role("heading", name="Nouvel objet").is_visible()
    assert page.get_by_role("link", name="Exporter (CSV)").count() == 0
    phone.shot("28-2-inventaire-autre-site")
    assert no_horizontal_scroll(page)
    assert phone.errors() == []


def test_a_room_slot_that_would_end_after_closing_is_not_offered(phone_factory, live_server):
    with api_client(live_server, "learner2") as client:
        day = next_open_day(client, kind="room")
    phone = phone_factory(width=360)
    sign_in(phone, "learner2")
    page = phone.goto(f"/#/book?kind=room&date={day}")
    page.get_by_label("Durée").select_option(label="2 h")
    page.locator(".closing-hint").wait_for()
    starts = page.locator(".slot span").all_inner_texts()
    # Open 09:00-18:00: two hours from 16:00 is the last start; none is shown "complet" for it.
    assert starts[-1] == "16:00", starts
    assert not {"16:30", "17:00", "17:30"} & set(starts)
    assert page.locator(".slot.full").count() == 0
    assert "fermeture" in page.locator(".closing-hint").inner_text()
    phone.shot("28-3-salle-2h-pas-apres-fermeture")
    assert phone.errors() == []


def test_the_report_csv_downloads_for_a_french_spreadsheet(phone_factory):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/reports")
    link = page.get_by_role("link", name="Par type de matériel")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("Villeneuve-la-Garenne - utilisation par type - du ")
    raw = open(download.path(), "rb").read()
    assert raw.startswith("\ufeff".encode())
    header = raw.decode("utf-8-sig").splitlines()[0].split(";")
    assert header[:3] == ['"Type de matériel"', '"Nombre d\'objets"', '"Réservations"']
    phone.shot("28-4-rapports-telechargements")
    assert phone.errors() == []


def test_staff_import_learners_with_french_columns_and_the_site_name(phone_factory, database_url):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/learners")
    hint = page.get_by_text(re.compile("^Une ligne d’en-tête : nom, identifiant"))
    assert "Villeneuve-la-Garenne" in hint.inner_text() and "cohort" not in hint.inner_text()
    sheet = "Nom;Identifiant;Site;Promotion\r\nNadia Benali;nadia.benali;Villeneuve-la-Garenne;Dev 2027\r\n" \
            "Omar Haddad;omar.haddad;;Dev 2027\r\n"
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "promo.csv", "mimeType": "text/csv", "buffer": sheet.encode("cp1252")}])
    page.get_by_role("button", name="Importer", exact=True).click()
    page.get_by_text("2 comptes créés, 0 erreur.").wait_for()
    rows = run_sql(database_url, "SELECT u.login, s.slug, u.cohort FROM app_user u JOIN site s ON s.id = u.site_id "
                                 "WHERE u.login IN ('nadia.benali', 'omar.haddad') ORDER BY u.login")
    assert [(r["login"], r["slug"], r["cohort"]) for r in rows] == [
        ("nadia.benali", "vlg", "Dev 2027"), ("omar.haddad", "vlg", "Dev 2027")]
    phone.shot("28-5-import-colonnes-francaises")
    assert phone.errors() == []


def test_a_laptop_tomorrow_in_three_touches_from_home(phone_factory, live_server, database_url):
    run_sql(database_url, "UPDATE booking SET status = 'cancelled', cancelled_at = now() WHERE status = 'confirmed' "
                          "AND user_id = (SELECT id FROM app_user WHERE login = 'learner4')")
    phone = phone_factory(width=360)
    sign_in(phone, "learner4")
    page = phone.page
    again = page.locator("a.book-again")
    again.wait_for()
    label = again.inner_text()
    assert label.startswith("Un ordinateur portable"), label
    page.locator(".next-booking").wait_for()
    phone.shot("28-accueil-apprenant-reserver-a-nouveau")
    touches = 0
    again.click()
    touches += 1
    slot = page.locator(".slot:not(.full)").first
    slot.click()
    touches += 1
    page.get_by_role("button", name="Réserver", exact=True).click()
    touches += 1
    page.get_by_role("heading", name="Mes réservations").wait_for()
    assert touches <= 3
    with api_client(live_server, "learner4") as client:
        day = next_open_day(client)
        mine = client.get("/api/bookings", params={"mine": "true"}).json()
    booked = [b for b in mine if b["status"] == "confirmed" and b["kind"] == "laptop"]
    assert [b["starts_at"][:10] for b in booked] == [day]
    if day == (date.today() + timedelta(days=1)).isoformat():
        assert label == "Un ordinateur portable demain"
    page = phone.goto("/#/")
    page.locator(".next-booking strong").wait_for()
    text = page.locator(".next-booking").inner_text()
    assert "Votre prochaine réservation" in text and not ISO_DATE.search(text)
    phone.shot("28-accueil-prochaine-reservation")
    assert phone.errors() == []


def test_the_login_screen_says_what_to_do_when_the_password_is_forgotten(phone_factory):
    phone = phone_factory(width=360)
    page = phone.goto("/#/login")
    page.get_by_text("Mot de passe oublié ?").click()
    answer = page.get_by_text(re.compile("^Passez à l’accueil du fablab avec votre pass"))
    answer.wait_for()
    assert in_view(answer)
    phone.shot("28-connexion-mot-de-passe-oublie")
    assert phone.errors() == []


def test_a_desk_loan_by_pass_takes_two_scans_and_one_confirmation(phone_factory, live_server, database_url):
    with api_client(live_server, "learner5") as learner:
        pass_url = learner.get("/api/me/pass").json()["url"]
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/scan")
    scans = touches = 0
    for text in (pass_url, "vlg-room-003"):  # what the camera reads, typed here
        page.get_by_label("Code de l’étiquette").fill(text)
        page.get_by_role("button", name="Valider").click()
        scans += 1
        if scans == 1:
            page.get_by_text("Pass d’Aïcha S. (learner5) lu.").wait_for()
    # The item's page opens on the confirmation itself, naming the learner.
    confirm = page.locator(".confirm-lend")
    confirm.wait_for()
    assert in_view(confirm.get_by_role("button", name="Prêter", exact=True))
    assert "learner5" in confirm.inner_text() or "(learner5)" in page.locator("main").inner_text()
    phone.shot("28-pret-par-pass-confirmation")
    confirm.get_by_role("button", name="Prêter", exact=True).click()
    touches += 1
    page.get_by_role("heading", name="Retour", exact=True).wait_for()
    rows = run_sql(database_url, "SELECT u.login FROM booking b JOIN resource r ON r.id = b.resource_id "
                                 "JOIN app_user u ON u.id = b.user_id WHERE r.tag = 'VLG-ROOM-003' AND b.status = 'checked_out'")
    assert [row["login"] for row in rows] == ["learner5"]
    assert (scans, touches) == (2, 1)
    assert phone.errors() == []


def test_the_day_list_says_which_days_are_closed_and_why(phone_factory, live_server, database_url):
    with api_client(live_server, "learner7") as client:
        day = next_open_day(client, after_days=2)
    run_sql(database_url, "INSERT INTO closure (site_id, starts_on, ends_on, reason) SELECT id, $1::date, $1::date, "
                          "'Panne de chauffage' FROM site WHERE slug = 'vlg'", date.fromisoformat(day))
    phone = phone_factory(width=360)
    sign_in(phone, "learner7")
    page = phone.goto("/#/book")
    hint = page.locator(".closed-days")
    hint.wait_for()
    text = hint.inner_text()
    assert text.startswith("Fermé : ") and "(Panne de chauffage)" in text and not ISO_DATE.search(text), text
    phone.shot("28-jours-fermes-et-pourquoi")
    assert phone.errors() == []


def test_the_learner_record_shows_what_they_hold_and_their_bookings(phone_factory, live_server):
    with api_client(live_server, "learner6") as learner:
        day = next_open_day(learner, kind="room")
        slot = next(s for s in learner.get("/api/availability", params={"site": "vlg", "kind": "room", "date": day}).json()["slots"]
                    if s["free"])
        booked = learner.post("/api/bookings", json={"site": "vlg", "kind": "room", "starts_at": slot["starts_at"],
                                                     "ends_at": slot["ends_at"]})
        assert booked.status_code == 201, booked.text
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/learners")
    record = page.locator("details.learner", has_text="learner6")
    record.locator("summary").click()
    record.get_by_role("heading", name="Emprunte en ce moment").wait_for()
    history = record.locator("ul.history")
    history.wait_for()
    text = history.inner_text()
    assert booked.json()["resource_name"] in text and "Confirmée" in text and not ISO_DATE.search(text), text
    record.scroll_into_view_if_needed()
    phone.shot("28-fiche-apprenant-historique")
    assert phone.errors() == []
