"""The administration screens, driven as an admin on a phone: opening hours that the booking
screen then offers, a closure that lists the bookings it hits and cancels them, the policy
editor (a kind's rules and one unit's own), trainings and staff accounts."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from tests.support.browser import api_client, next_open_day, no_horizontal_scroll, serious_violations, sign_in

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def day_label(day: date) -> re.Pattern:
    """How a French screen names the day, whatever else the label says ("mer. 2 déc.")."""
    return re.compile(rf"\b{day.day} {re.escape(MONTHS[day.month - 1])}")


def pick_day(page, day: date) -> None:
    """Choose the day on the booking screen through what is visible: an option of a list, or a
    button among the days (the screen is being reworked; both are fine)."""
    label = day_label(day)
    option = page.get_by_role("option", name=label)
    if option.count():
        value = option.first.get_attribute("value")
        page.locator("select", has=option.first).select_option(value)
        return
    page.get_by_role("button", name=label).or_(page.get_by_role("radio", name=label)).first.click()


def offered_starts(page) -> list[str]:
    """The start times the booking screen offers, as "HH:MM"."""
    page.locator("button.slot").first.wait_for()
    names = page.locator("button.slot").all_inner_texts()
    return sorted({m.group(0) for name in names for m in [re.search(r"\b\d{2}:\d{2}\b", name)] if m})


def open_room_day(phone, day: date):
    page = phone.goto("/#/book")
    page.get_by_role("heading", name="Réserver", exact=True).wait_for()
    page.get_by_text("Salle", exact=True).first.click()
    pick_day(page, day)
    return page


def test_admin_changes_opening_hours_and_the_booking_screen_offers_the_new_slots(phone_factory, live_server):
    with api_client(live_server, "learner1") as learner:
        day = date.fromisoformat(next_open_day(learner, kind="room"))
    weekday = WEEKDAY_NAMES[day.weekday()]

    # Before: the room closes at 18:00, nothing starts at 19:00.
    learner_phone = phone_factory(width=360)
    sign_in(learner_phone, "learner1")
    page = open_room_day(learner_phone, day)
    expect(page.get_by_role("button", name=re.compile(r"^17:30"))).to_have_count(1, timeout=10_000)
    assert "19:00" not in offered_starts(page)

    admin = phone_factory(width=360)
    sign_in(admin, "admin")
    page = admin.goto("/#/admin")
    page.get_by_role("heading", name="Administration").wait_for()
    assert serious_violations(page) == []
    admin.shot("admin-01-accueil")
    page.get_by_role("link", name=re.compile("^Sites et horaires")).click()
    page.get_by_role("link", name="Modifier Villeneuve-la-Garenne").click()
    page.get_by_role("heading", name="Villeneuve-la-Garenne").wait_for()
    # That weekday: a lunch break and an evening until 20:00.
    day_box = page.locator("fieldset", has=page.get_by_text(weekday, exact=True))
    day_box.get_by_label(f"{weekday} : fermeture").select_option("12:30")
    day_box.get_by_role("button", name="Ajouter une plage horaire").click()
    # Times are chosen from a list (issue 28), never typed.
    assert day_box.get_by_label(f"{weekday} : ouverture").nth(1).evaluate("el => el.tagName") == "SELECT"
    day_box.get_by_label(f"{weekday} : ouverture").nth(1).select_option("13:30")
    day_box.get_by_label(f"{weekday} : fermeture").nth(1).select_option("20:00")
    assert no_horizontal_scroll(page)
    page.get_by_role("button", name="Enregistrer le site").click()
    expect(page.get_by_role("status")).to_contain_text("Villeneuve-la-Garenne est enregistré")
    assert serious_violations(page) == []
    admin.shot("admin-02-horaires")
    with api_client(live_server) as anyone:
        hours = anyone.get("/api/sites/vlg").json()["opening_hours"][WEEKDAY_CODES[day.weekday()]]
    assert hours == [["09:00", "12:30"], ["13:30", "20:00"]]

    # After: the booking screen offers the evening, and nothing over lunch.
    page = open_room_day(learner_phone, day)
    expect(page.get_by_role("button", name=re.compile(r"^19:00"))).to_have_count(1, timeout=10_000)
    starts = offered_starts(page)
    assert "19:30" in starts and "12:30" not in starts and "13:00" not in starts and "13:30" in starts
    learner_phone.shot("admin-03-reserver-nouveaux-creneaux")
    assert admin.errors() == [] and learner_phone.errors() == []


def test_a_bad_range_is_refused_in_french_and_nothing_changes(phone_factory, live_server):
    admin = phone_factory(width=360)
    sign_in(admin, "admin")
    page = admin.goto("/#/admin/sites/vlg")
    box = page.locator("fieldset", has=page.get_by_text("Lundi", exact=True))
    box.get_by_label("Lundi : fermeture").select_option("08:00")
    page.get_by_role("button", name="Enregistrer le site").click()
    expect(page.get_by_role("alert")).to_contain_text("Lundi : l’heure de fermeture doit être après l’heure d’ouverture.")
    # The time zone is chosen from a list (issue 28): nothing to mistype, so nothing unknown to refuse.
    box.get_by_label("Lundi : fermeture").select_option("18:00")
    assert page.get_by_label("Fuseau horaire").input_value() == "Europe/Paris"
    # A weekday closed by its box is left out of the week.
    box.get_by_label("Lundi : fermeture").select_option("18:00")
    box.get_by_label("Ouvert ce jour-là").uncheck()
    page.get_by_role("button", name="Enregistrer le site").click()
    expect(page.get_by_role("status")).to_contain_text("est enregistré")
    with api_client(live_server) as anyone:
        assert "mon" not in anyone.get("/api/sites/vlg").json()["opening_hours"]
    assert admin.errors(allowed_statuses=(400,)) == []  # the unknown time zone


def test_a_closure_lists_the_bookings_it_hits_and_cancels_them(phone_factory, live_server):
    with api_client(live_server, "learner2") as learner:
        day = next_open_day(learner, kind="room")
        slot = learner.get("/api/availability", params={"site": "vlg", "kind": "room", "date": day}).json()["slots"][0]
        booked = learner.post("/api/bookings", json={"resource": "VLG-ROOM-002", "starts_at": slot["starts_at"],
                                                     "ends_at": slot["ends_at"]})
        assert booked.status_code == 201, booked.text
        booking = booked.json()

    admin = phone_factory(width=360)
    sign_in(admin, "admin")
    page = admin.goto("/#/admin")
    page.get_by_role("link", name=re.compile("^Fermetures")).click()
    page.get_by_role("heading", name="Fermetures", exact=True).wait_for()
    page.get_by_label("Site", exact=True).select_option(label="Villeneuve-la-Garenne")
    page.get_by_label("Du").fill(day)
    page.get_by_label("Au").fill(day)
    page.get_by_label("Motif").fill("Dégât des eaux")
    page.get_by_role("button", name="Continuer").click()
    impact = page.locator(".impact")
    expect(impact.get_by_role("heading")).to_have_text("1 réservation tombe pendant cette fermeture")
    expect(impact).to_contain_text("Salle Grace Hopper")
    expect(impact).to_contain_text(booking["user"]["name"])
    assert not re.search(r"\d{4}-\d{2}-\d{2}", impact.inner_text())
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    admin.shot("admin-04-fermeture-reservations-touchees")
    page.get_by_role("button", name="Fermer et annuler cette réservation").click()
    expect(page.get_by_role("status")).to_contain_text("1 réservation annulée, l’apprenant·e est prévenu·e.")
    expect(page.locator("section", has=page.get_by_role("heading", name="Fermetures à venir"))).to_contain_text("Dégât des eaux")
    admin.shot("admin-05-fermeture-ajoutee")

    with api_client(live_server, "learner2") as learner:
        seen = learner.get(f"/api/bookings/{booking['id']}").json()
        assert seen["status"] == "cancelled" and seen["cancel_reason"] == "closure"
        assert seen["cancel_note"] == "Dégât des eaux"
    with api_client(live_server, "staff.vlg") as staff:
        told = [r for r in staff.get("/api/reminders/pending").json()["reminders"] if r["kind"] == "booking_withdrawn"]
        # The learner has no e-mail address: the app's list is where they see it.
        assert [r["booking_id"] for r in told] in ([], [booking["id"]])

    # The learner sees why in their bookings.
    learner_phone = phone_factory(width=360)
    sign_in(learner_phone, "learner2")
    mine = learner_phone.goto("/#/bookings")
    expect(mine.get_by_text("Annulée par le fablab : le site est fermé ce jour-là (Dégât des eaux). Réservez un autre jour.")).to_be_visible()
    learner_phone.shot("admin-05b-apprenant-reservation-annulee")

    # The closure can be deleted again.
    page.locator("li", has_text="Dégât des eaux").get_by_role("button", name="Supprimer").click()
    page.locator("li", has_text="Dégât des eaux").get_by_role("button", name="Confirmer la suppression").click()
    expect(page.get_by_role("status")).to_contain_text("Fermeture supprimée.")
    expect(page.locator("li", has_text="Dégât des eaux")).to_have_count(0)
    assert admin.errors() == []


def test_the_policy_editor_changes_a_kind_and_one_unit(phone_factory, live_server):
    admin = phone_factory(width=360)
    sign_in(admin, "admin")
    page = admin.goto("/#/admin/policies")
    page.get_by_label("Site").select_option(label="Villeneuve-la-Garenne")
    page.get_by_label("Type de matériel").select_option(label="Salle")
    rules = page.locator("section", has=page.get_by_role("heading", name="Règles pour : Salle"))
    expect(rules.get_by_label("Heures par semaine par personne")).to_have_value("12")
    rules.get_by_label("Durée maximale").fill("100")
    rules.get_by_role("button", name="Enregistrer les règles").click()
    expect(page.get_by_role("alert")).to_contain_text("multiples du créneau (30 min)")
    rules.get_by_label("Durée maximale").fill("120")
    rules.get_by_label("Heures par semaine par personne").fill("")
    rules.get_by_role("button", name="Enregistrer les règles").click()
    expect(page.get_by_role("status")).to_contain_text("Règles enregistrées pour : Salle.")
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    admin.shot("admin-06-regles-salle")
    with api_client(live_server, "learner1") as learner:
        room = next(p for p in learner.get("/api/policies", params={"site": "vlg"}).json()
                    if p["kind"] == "room" and p["resource"] is None)
    assert room["max_length"] == 120 and room["max_hours_per_week"] is None

    # One room gets its own rules: the printer training, then back to the kind's.
    own = page.locator("section", has=page.get_by_role("heading", name="Règles propres à un objet"))
    own.get_by_label("Objet").select_option(label="Salle Ada Lovelace")
    # Its own rules start from the kind's, as just saved.
    expect(own.get_by_label("Durée maximale")).to_have_value("120")
    own.get_by_label("Formation demandée").select_option(label="Impression 3D – bases")
    own.get_by_role("button", name="Donner ces règles à l’objet").click()
    expect(page.get_by_role("status")).to_contain_text("Règles enregistrées pour Salle Ada Lovelace.")
    expect(own.get_by_text("Salle Ada Lovelace a ses propres règles.")).to_be_visible()
    expect(own.get_by_label("Objet").locator("option:checked")).to_have_text("Salle Ada Lovelace (règles propres)")
    admin.shot("admin-07-regles-objet")
    with api_client(live_server, "learner1") as learner:
        override = [p for p in learner.get("/api/policies", params={"site": "vlg"}).json() if p["resource"] == "VLG-ROOM-001"]
    assert [p["training"] for p in override] == ["Impression 3D – bases"]
    own.get_by_role("button", name="Revenir aux règles du type").click()
    own.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("status")).to_contain_text("suit de nouveau les règles de son type")
    with api_client(live_server, "learner1") as learner:
        assert not [p for p in learner.get("/api/policies", params={"site": "vlg"}).json() if p["resource"]]
    assert admin.errors() == []


# A slow network for the staff list: each answer is held 800 ms; window.staffListsPending counts those
# still on their way.
SLOW_STAFF_LIST = """() => {
  const fetchNow = window.fetch;
  window.staffListsPending = 0;
  window.fetch = async (...args) => {
    if (!String(args[0]).includes("/api/users?role=staff")) return fetchNow(...args);
    window.staffListsPending += 1;
    try {
      const response = await fetchNow(...args);
      await new Promise((done) => setTimeout(done, 800));
      return response;
    } finally {
      window.staffListsPending -= 1;
    }
  };
}"""


def test_trainings_and_staff_accounts(phone_factory, live_server):
    admin = phone_factory(width=360)
    sign_in(admin, "admin")
    page = admin.goto("/#/admin/trainings")
    page.get_by_label("Nom").fill("Découpe laser")
    page.get_by_label("Description").fill("Sécurité et réglages")
    page.get_by_role("button", name="Créer la formation").click()
    expect(page.get_by_role("status")).to_contain_text("Formation « Découpe laser » créée.")
    expect(page.locator("li", has_text="Découpe laser")).to_contain_text("Sécurité et réglages")
    page.get_by_label("Nom").fill("Découpe laser")
    page.get_by_role("button", name="Créer la formation").click()
    expect(page.get_by_role("alert")).to_have_text("Une formation porte déjà ce nom.")
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    admin.shot("admin-08-formations")

    page = admin.goto("/#/admin/staff")
    page.get_by_role("heading", name="Comptes de l’équipe").wait_for()
    page.get_by_label("Nom et prénom").fill("Nadia Benali")
    page.get_by_label("Identifiant").fill("nadia.benali")
    page.get_by_label("Site principal").select_option(label="Pantin")
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_role("status")).to_contain_text("Compte créé pour Nadia Benali.")
    expect(page.get_by_role("img", name=re.compile("Nadia Benali"))).to_be_visible()
    item = page.locator("li.item", has_text="nadia.benali")
    expect(item).to_contain_text("Pantin")
    expect(item).to_contain_text("Compte pas encore activé : invitation à lui remettre")
    assert "envoyée" not in item.inner_text()  # nothing was e-mailed (issue 28)
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    admin.shot("admin-09-equipe")
    # The invite lost: a new one, its QR shown in the line (issue 28).
    item.get_by_role("button", name="Nouvelle invitation").click()
    item.get_by_role("button", name=re.compile("^Confirmer : l’ancienne invitation")).click()
    expect(page.get_by_role("status")).to_contain_text("Nouvelle invitation pour Nadia Benali")
    expect(item.get_by_role("img", name=re.compile("Nadia Benali"))).to_be_visible()
    expect(item).to_contain_text("rien n’est envoyé par e-mail")
    expect(page.locator("form .invite")).to_have_count(0)  # the first QR, which no longer works, is gone
    admin.shot("admin-09b-equipe-nouvelle-invitation")
    item.get_by_role("button", name="Désactiver").click()
    item.get_by_role("button", name="Confirmer : désactiver").click()
    expect(page.get_by_role("status")).to_contain_text("Nadia Benali ne peut plus se connecter.")
    item = page.locator("li.item", has_text="nadia.benali")
    expect(item).to_contain_text("Désactivé")
    # A slow network: the list comes back late. The message waits for it, so the next tap acts on
    # the new list (it used to come first, and the sites editor opened below vanished with the old one).
    page.evaluate(SLOW_STAFF_LIST)
    item.get_by_role("button", name="Réactiver").click()
    expect(page.get_by_role("status")).to_contain_text("Nadia Benali peut de nouveau se connecter.")
    # Which sites a staff member acts on: staff.vlg gets Pantin as well.
    item = page.locator("li.item", has_text="staff.vlg")
    item.get_by_role("button", name="Sites").click()
    grants = item.get_by_role("group", name="Sites où Équipe Villeneuve-la-Garenne peut agir")
    expect(grants.get_by_label("Villeneuve-la-Garenne")).to_be_checked()
    expect(grants.get_by_label("Pantin")).not_to_be_checked()
    grants.get_by_label("Pantin").check()
    item.get_by_role("button", name="Enregistrer les sites").click()
    expect(page.get_by_role("status")).to_contain_text("Sites enregistrés pour Équipe Villeneuve-la-Garenne.")
    page.wait_for_function("() => window.staffListsPending === 0")
    expect(grants.get_by_label("Pantin")).to_be_checked()  # the editor is still there, as it was left
    assert no_horizontal_scroll(page)
    admin.shot("admin-10-equipe-sites")
    with api_client(live_server, "admin") as api:
        staff = {u["login"]: u for u in api.get("/api/users", params={"role": "staff"}).json()}
        assert sorted(api.get(f"/api/users/{staff['staff.vlg']['id']}").json()["sites"]) == ["pan", "vlg"]
    assert staff["nadia.benali"]["site"] == "pan" and staff["nadia.benali"]["active"] is True
    assert admin.errors(allowed_statuses=(409,)) == []  # the training named twice


def test_a_loan_whose_last_day_closes_is_shortened_and_the_learner_reads_why(phone_factory, live_server):
    """Issue 28: a laptop lent by the day over two opening days, the second closed for a broken
    heating: the loan now ends on the first day, and the learner's list says so with the reason."""
    with api_client(live_server, "learner2") as learner:
        first = next_open_day(learner, after_days=2)
        second = next_open_day(learner, after_days=(date.fromisoformat(first) - date.today()).days + 1)
        opens = learner.get("/api/availability", params={"site": "vlg", "kind": "laptop", "date": first}).json()["opening"]
        closes = learner.get("/api/availability", params={"site": "vlg", "kind": "laptop", "date": second}).json()["opening"]
        booked = learner.post("/api/bookings", json={"resource": "VLG-LAP-006", "starts_at": opens[0]["starts_at"],
                                                     "ends_at": closes[-1]["ends_at"]})
        assert booked.status_code == 201, booked.text
    with api_client(live_server, "admin") as admin:
        closed = admin.post("/api/sites/vlg/closures", json={"starts_on": second, "ends_on": second,
                                                              "reason": "Panne de chauffage", "cancel_bookings": True})
        assert closed.json()["shortened_bookings"] == [booked.json()["id"]], closed.text
    phone = phone_factory(width=360)
    sign_in(phone, "learner2")
    page = phone.goto("/#/bookings")
    expect(page.get_by_text("Raccourcie par le fablab : le site est fermé certains jours (Panne de chauffage).")).to_be_visible()
    assert no_horizontal_scroll(page)
    phone.shot("admin-05c-apprenant-pret-raccourci")
    assert phone.errors() == []


def test_admin_screens_are_for_admins(phone_factory, live_server):
    staff = phone_factory(width=360)
    sign_in(staff, "staff.vlg")
    for path in ("/#/admin", "/#/admin/sites/vlg", "/#/admin/closures", "/#/admin/staff"):
        page = staff.goto(path)
        page.get_by_role("heading", name="Accès réservé").wait_for()
    assert staff.errors() == []
