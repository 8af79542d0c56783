"""Workshops in the browser (issue 29), on a 360 px phone in French: a coordinator creates a workshop
with seats held for a partner; a learner signs up from the app and sees their seat, or their place on
the waiting list when it is full, and their next workshop on home; staff take attendance by scanning
a pass (typed here: the camera is the same path). Screenshots in /tmp/workshop-screens-*.png."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.browser import api_client, no_horizontal_scroll, run_sql, serious_violations, sign_in

PARIS = ZoneInfo("Europe/Paris")


def shot(phone, name: str) -> None:
    phone.page.screenshot(scale="css", path=f"/tmp/workshop-screens-{name}.png", full_page=True)


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).isoformat()


def a_workshop(staff, title: str, capacity: int, days: int = 5, **extra) -> dict:
    day = date.today() + timedelta(days=days)
    made = staff.post("/api/workshops", json={"site": "vlg", "title": title, "capacity": capacity,
                                              "starts_at": at(day, 14), "ends_at": at(day, 17), **extra})
    assert made.status_code == 201, made.text
    return made.json()


def a_participant(staff, first_name: str) -> dict:
    made = staff.post("/api/participants", json={"first_name": first_name, "initial": "B", "site": "vlg",
                                                 "birth_year": 2007, "status": "neet"})
    assert made.status_code == 201, made.text
    return made.json()


def test_a_coordinator_creates_a_workshop_with_partner_seats(phone_factory, live_server, database_url):
    with api_client(live_server, "staff.vlg") as staff:
        partner = staff.post("/api/partners", json={"site": "vlg", "name": "Mission Locale des Boucles",
                                                    "kind": "mission_locale"})
        assert partner.status_code == 201, partner.text
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/")
    page.get_by_role("button", name="Menu").click()
    page.locator("#nav-menu").get_by_role("link", name="Ateliers").click()
    page.get_by_role("heading", name="Ateliers", exact=True).wait_for()

    form = page.locator("form.workshop-form")
    form.get_by_label("Titre").fill("Découpe laser : un porte-clés")
    form.get_by_label("Début").fill("09:30")
    form.get_by_label("Fin", exact=True).fill("12:30")
    form.get_by_label("Nombre de places", exact=True).fill("12")
    form.get_by_label("Âge minimum (facultatif)").fill("16")
    form.get_by_label("Âge maximum (facultatif)").fill("25")
    form.get_by_label("Partenaire qui oriente").select_option(label="Mission Locale des Boucles")
    form.get_by_label("Nombre de places réservées").fill("4")
    assert no_horizontal_scroll(page)
    shot(phone, "01-nouvel-atelier")
    form.get_by_role("button", name="Créer l’atelier").click()

    page.get_by_role("heading", name="Découpe laser : un porte-clés").wait_for()
    page.locator("#toast").get_by_text("Atelier « Découpe laser : un porte-clés » créé.").wait_for()
    page.get_by_text("8 places libres sur 12").wait_for()
    page.get_by_text(re.compile(r"^4 places pour Mission Locale des Boucles jusqu’au .* \(0 prise\)$")).wait_for()
    page.get_by_text("De 16 à 25 ans").first.wait_for()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    shot(phone, "02-atelier-cree")
    rows = run_sql(database_url, """SELECT w.capacity, w.held_free, h.seats, h.held_until < w.starts_at AS before
        FROM workshop w JOIN workshop_hold h ON h.workshop_id = w.id WHERE w.title = $1""", "Découpe laser : un porte-clés")
    assert [tuple(r) for r in rows] == [(12, 4, 4, True)]

    # Fewer seats, then the workshop cancelled with a word for those signed up.
    page.locator("details.edit-workshop summary").click()
    page.locator("form.workshop-edit").get_by_label("Nombre de places", exact=True).fill("10")
    page.locator("form.workshop-edit").get_by_role("button", name="Enregistrer").click()
    page.locator("#toast").get_by_text("Atelier enregistré.").wait_for()
    page.get_by_text("6 places libres sur 10").wait_for()
    page.locator("details.cancel-workshop summary").click()
    page.get_by_label("Message aux inscrit·es (facultatif)").fill("Formateur malade, atelier reporté.")
    page.locator("details.cancel-workshop").get_by_role("button", name="Annuler l’atelier").click()
    page.get_by_role("button", name="Confirmer l’annulation").click()
    page.locator("#toast").get_by_text("Atelier annulé : les inscrit·es sont prévenu·es.").wait_for()
    page.get_by_text("Formateur malade, atelier reporté.").wait_for()
    shot(phone, "02b-atelier-annule")
    assert run_sql(database_url, "SELECT status FROM workshop WHERE title = $1", "Découpe laser : un porte-clés")[0][0] == "cancelled"
    assert phone.errors() == []


def test_a_learner_signs_up_and_sees_their_seat_or_their_place(phone_factory, live_server):
    with api_client(live_server, "staff.vlg") as staff:
        open_one = a_workshop(staff, "Initiation à l’impression 3D", capacity=8)
        full_one = a_workshop(staff, "Arduino : un feu tricolore", capacity=1, days=6)
        taken = staff.post(f"/api/workshops/{full_one['id']}/registrations",
                           json={"participant": a_participant(staff, "Inès")["id"]})
        assert taken.status_code == 201 and taken.json()["status"] == "registered", taken.text
    phone = phone_factory(width=360)
    sign_in(phone, "learner1")
    page = phone.page
    page.get_by_role("link", name=re.compile("^Ateliers")).click()
    page.get_by_role("heading", name="Ateliers", exact=True).wait_for()

    first = page.locator("li.workshop", has_text="Initiation à l’impression 3D")
    first.get_by_text("8 places libres sur 8").wait_for()
    first.get_by_role("button", name="S’inscrire").click()
    page.locator("li.workshop", has_text="Initiation à l’impression 3D").locator(".badge", has_text="Inscrit·e").wait_for()
    page.locator("li.workshop", has_text="Initiation à l’impression 3D").get_by_text("7 places libres sur 8").wait_for()

    full = page.locator("li.workshop", has_text="Arduino : un feu tricolore")
    full.get_by_text("Complet").wait_for()
    full.get_by_role("button", name=re.compile("^S’inscrire")).click()
    page.locator("li.workshop", has_text="Arduino : un feu tricolore").locator(
        ".badge", has_text="Liste d’attente : position 1").wait_for()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    shot(phone, "03-apprenant-inscrit-et-en-attente")

    page = phone.goto("/#/")
    block = page.locator(".next-workshop")
    block.get_by_text("Initiation à l’impression 3D").wait_for()
    block.get_by_text("Inscrit·e").wait_for()
    assert no_horizontal_scroll(page)
    shot(phone, "04-accueil-prochain-atelier")
    assert open_one["id"] != full_one["id"]

    # Inès withdraws: the seat goes to the learner, who is told in the app.
    with api_client(live_server, "staff.vlg") as staff:
        gone = staff.delete(f"/api/workshops/{full_one['id']}/registrations/{taken.json()['id']}")
        assert gone.status_code == 204, gone.text
    page = phone.goto("/#/my-workshops")
    page.locator(".workshop-notice", has_text="Une place s’est libérée : vous êtes inscrit·e à « Arduino : un feu tricolore »").wait_for()
    page.locator("li.workshop", has_text="Arduino : un feu tricolore").locator(".badge", has_text="Inscrit·e").wait_for()
    assert no_horizontal_scroll(page)
    shot(phone, "04b-place-liberee")
    assert phone.errors() == []


def test_staff_take_attendance_by_scanning_a_pass(phone_factory, live_server, database_url):
    with api_client(live_server, "staff.vlg") as staff, api_client(live_server, "learner1") as learner:
        workshop = a_workshop(staff, "Couture numérique", capacity=6, days=0 if datetime.now(PARIS).hour < 13 else 1)
        learner_id = learner.get("/api/me").json()["id"]
        assert learner.post(f"/api/workshops/{workshop['id']}/registrations", json={}).status_code == 201
        other = a_participant(staff, "Yanis")
        assert staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": other["id"]}).status_code == 201
        pass_link = f"{live_server}/#/pass/{learner.get('/api/me/pass').json()['token']}"
    with api_client(live_server, "learner2") as learner2:
        other_learner = learner2.get("/api/me").json()["name"]
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto(f"/#/workshops/{workshop['id']}")
    page.get_by_role("heading", name="Couture numérique").wait_for()
    page.get_by_text("0 présent·e sur 2").wait_for()

    # The desk signs up a learner who never signed up for a workshop: found by name.
    page.get_by_label("Chercher un·e jeune").fill(other_learner[:4])
    page.locator("button.pick", has_text=other_learner).click()
    page.locator("#toast").get_by_text(f"{other_learner} : inscrit·e.").wait_for()
    page.get_by_text("0 présent·e sur 3").wait_for()

    # A pass the door does not know says so under the field, where the person at the door looks.
    page.get_by_label("Pass (lien ou code)").fill("999999-zzzz")
    page.get_by_role("button", name="Valider").click()
    page.locator("section.attendance .messages .notice").wait_for()
    assert page.locator("section.attendance .messages .notice").inner_text().strip()
    page.get_by_label("Pass (lien ou code)").fill(pass_link)
    page.get_by_role("button", name="Valider").click()
    page.locator("#toast").get_by_text(re.compile("présence enregistrée")).wait_for()
    page.get_by_text("1 présent·e sur 3").wait_for()
    page.get_by_text("Présent·e de 14:00 à 17:00").wait_for()

    # Yanis is ticked on the list, and left early.
    row = page.locator("li.registration", has_text="Yanis B.")
    row.get_by_role("button", name="Présent·e").click()
    page.get_by_text("2 présent·es sur 3").wait_for()
    row = page.locator("li.registration", has_text="Yanis B.")
    row.locator("summary").click()
    row.get_by_label("Départ").fill("16:00")
    row.get_by_role("button", name="Enregistrer les horaires").click()
    page.locator("li.registration", has_text="Yanis B.").get_by_text("Présent·e de 14:00 à 16:00").wait_for()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    shot(phone, "05-presences")
    hours = run_sql(database_url, """SELECT r.user_id, extract(epoch FROM a.left_at - a.arrived_at) / 3600 AS hours
        FROM attendance a JOIN registration r ON r.id = a.registration_id WHERE r.workshop_id = $1 ORDER BY 1""",
                    workshop["id"])
    assert {r["user_id"]: float(r["hours"]) for r in hours} == {learner_id: 3.0, other["id"]: 2.0}
    assert phone.errors(allowed_statuses=(404,)) == []  # the unknown pass at the door


def test_the_public_agenda_opens_without_signing_in(phone_factory, live_server):
    with api_client(live_server, "staff.vlg") as staff:
        a_workshop(staff, "Portes ouvertes : la brodeuse", capacity=10)
        a_workshop(staff, "Groupe de la Mission Locale", capacity=10, audience="referral")
    phone = phone_factory(width=360)
    page = phone.goto("/#/agenda/vlg")
    page.get_by_role("heading", name="Agenda des ateliers").wait_for()
    page.locator("li.workshop", has_text="Portes ouvertes : la brodeuse").get_by_text("10 places libres sur 10").wait_for()
    assert page.locator("li.workshop", has_text="Groupe de la Mission Locale").count() == 0
    feed = page.get_by_role("link", name="Abonner mon calendrier à ces ateliers")
    assert feed.get_attribute("href") == "/cal/sites/vlg/workshops.ics"
    with api_client(live_server) as anyone:
        ics = anyone.get("/cal/sites/vlg/workshops.ics")
    assert ics.status_code == 200 and "Portes ouvertes : la brodeuse" in ics.text.replace("\r\n ", "")
    assert no_horizontal_scroll(page)
    shot(phone, "06-agenda-public")
    assert phone.errors() == []


def test_staff_add_a_partner_and_a_young_person_and_print_their_card(phone_factory, database_url):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/partners")
    page.get_by_role("heading", name="Partenaires et jeunes").wait_for()
    form = page.locator("form", has=page.get_by_role("heading", name="Ajouter le partenaire"))
    form.get_by_label("Nom de la structure").fill("E2C Hauts-de-Seine")
    form.get_by_label("Type de structure").select_option("e2c")
    form.get_by_role("button", name="Ajouter le partenaire").click()
    page.locator("#toast").get_by_text("Partenaire « E2C Hauts-de-Seine » ajouté.").wait_for()
    # The screen is drawn again with the new partner: its forms are new ones.
    page.locator("li.partner", has_text="E2C Hauts-de-Seine").wait_for()

    form = page.locator("form", has=page.get_by_role("heading", name="Nouveau ou nouvelle jeune"))
    form.get_by_label("Prénom").fill("Moussa")
    form.get_by_label("Initiale du nom").fill("k")
    form.get_by_label("Date de naissance ou année").fill("03/05/2006")
    form.get_by_label("Partenaire qui oriente").select_option(label="E2C Hauts-de-Seine")
    form.get_by_label("Situation").select_option("job_seeker")
    form.get_by_role("button", name="Ajouter").click()
    page.locator("#toast").get_by_text("Moussa K. ajouté·e.").wait_for()
    row = page.locator("li.participant", has_text="Moussa K.")
    row.get_by_text("En recherche d’emploi · Né·e en 2006 · E2C Hauts-de-Seine").wait_for()
    assert no_horizontal_scroll(page)
    shot(phone, "07-partenaires-et-jeunes")
    saved = run_sql(database_url, """SELECT u.birth_date::text AS born, p.status FROM participant p
        JOIN app_user u ON u.id = p.user_id WHERE u.name = 'Moussa K.'""")
    assert [tuple(r) for r in saved] == [("2006-05-03", "job_seeker")]

    row.get_by_role("link", name="Carte").click()
    page.get_by_role("heading", name="Carte de Moussa K.").wait_for()
    page.locator("img.pass-qr").wait_for()
    assert page.evaluate("document.querySelector('img.pass-qr').naturalWidth > 0")
    assert serious_violations(page) == []
    shot(phone, "08-carte-pass")
    assert phone.errors() == []


def test_staff_create_a_course_and_a_workshop_in_it(phone_factory, database_url):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/courses")
    page.get_by_role("heading", name="Parcours", exact=True).wait_for()
    form = page.locator("form", has=page.get_by_role("heading", name="Créer le parcours"))
    form.get_by_label("Titre du parcours").fill("Fabriquer son mobilier")
    form.get_by_label("Objectif (heures)").fill("35")
    form.get_by_role("button", name="Créer le parcours").click()
    page.get_by_role("heading", name="Fabriquer son mobilier").wait_for()
    page.get_by_text("Objectif : 35 h").wait_for()
    page.get_by_role("link", name="Nouvel atelier de ce parcours").click()
    form = page.locator("form.workshop-form")
    assert form.get_by_label("Parcours (facultatif)").locator("option:checked").inner_text() == "Fabriquer son mobilier"
    form.get_by_label("Titre").fill("Tabouret en contreplaqué")
    form.get_by_role("button", name="Créer l’atelier").click()
    page.get_by_role("heading", name="Tabouret en contreplaqué").wait_for()
    page.get_by_text("Parcours : Fabriquer son mobilier").wait_for()
    page = phone.goto("/#/courses")
    page.locator("li", has_text="Fabriquer son mobilier").get_by_text("1 atelier · Objectif : 35 h").wait_for()
    assert no_horizontal_scroll(page)
    shot(phone, "09-parcours")
    linked = run_sql(database_url, """SELECT c.title FROM workshop w JOIN course c ON c.id = w.course_id
        WHERE w.title = 'Tabouret en contreplaqué'""")
    assert [r["title"] for r in linked] == ["Fabriquer son mobilier"]
    assert phone.errors() == []
