"""Issue 15, the learner side through the screens: every kind bookable, refusals that say why, other
units offered in one tap, only open days offered, cancelled bookings in their own place, the
waitlist's warning, and the staff booking for a learner."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.browser import (
    SCREENSHOTS, api_client, next_open_day, no_horizontal_scroll, run_sql, serious_violations, sign_in,
)

FRENCH_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")

PARIS = ZoneInfo("Europe/Paris")


def open_day_after(client, day: str) -> str:
    return next_open_day(client, after_days=(date.fromisoformat(day) - date.today()).days + 1)


def section(page, title: str):
    return page.locator("section", has=page.get_by_role("heading", name=re.compile(f"^{title}")))


def book_first_free_slot(phone, kind: str, day: str, tag: str = ""):
    page = phone.goto(f"/#/book?site=vlg&kind={kind}&date={day}" + (f"&tag={tag}" if tag else ""))
    slot = page.locator("button.slot:not(.full)").first
    slot.click()
    assert slot.get_attribute("aria-pressed") == "true"
    return page


def last_day_offered(page) -> str:
    days = page.get_by_label("Jour").locator("option").evaluate_all("options => options.map(o => o.value)")
    return max(days) if days else ""


def until(condition, seconds: float = 5) -> bool:
    """Polls from Python: the app's CSP forbids the string predicates of wait_for_function."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def hold_every_unit(database_url: str, kind: str, day: str, holder: str = "learner10") -> None:
    """Every vlg unit of the kind booked by `holder` for the opening day (09:00-18:00, Paris)."""
    run_sql(database_url,
            "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until) "
            "SELECT r.id, r.site_id, r.kind, u.id, u.id, ($2::date + time '09:00') AT TIME ZONE 'Europe/Paris', "
            "($2::date + time '18:00') AT TIME ZONE 'Europe/Paris', ($2::date + time '18:00') AT TIME ZONE 'Europe/Paris' "
            "FROM resource r JOIN site s ON s.id = r.site_id, app_user u "
            "WHERE s.slug = 'vlg' AND r.kind = $1 AND u.login = $3", kind, date.fromisoformat(day), holder)


def test_a_trained_learner_books_a_laptop_a_room_and_a_printer_and_sees_each(phone_factory, live_server):
    with api_client(live_server, "learner3") as learner:
        day = next_open_day(learner)
    phone = phone_factory(width=360)
    sign_in(phone, "learner3")  # a third of the demo learners hold the printer training
    for kind in ("laptop", "room", "printer_3d"):
        page = book_first_free_slot(phone, kind, day)
        assert no_horizontal_scroll(page)
        phone.shot(f"learner-book-{kind}-chosen")
        page.get_by_role("button", name="Réserver", exact=True).click()
        page.get_by_role("heading", name="Mes réservations").wait_for()
        # The toast sits above the screen, in the page's flow: it covers nothing.
        toast = page.locator("#toast")
        toast.wait_for()
        assert toast.inner_text().startswith("Réservé :")
        assert toast.evaluate("el => getComputedStyle(el).position") == "static"
    upcoming = section(page, "À venir")
    assert upcoming.locator("li").count() == 3
    text = upcoming.inner_text()
    assert "Salle" in text and "Portable" in text and "Imprimante 3D" in text
    assert any(month in text for month in FRENCH_MONTHS) and not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot("learner-bookings-three-kinds")
    assert phone.errors() == []


def test_an_untrained_learner_sees_the_training_refusal_in_french(phone_factory, live_server):
    with api_client(live_server, "learner1") as learner:
        day = next_open_day(learner)
    phone = phone_factory(width=360)
    sign_in(phone, "learner1")
    page = book_first_free_slot(phone, "printer_3d", day)
    page.get_by_role("button", name="Réserver", exact=True).click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "formation" in alert.inner_text()
    assert page.get_by_role("heading", name="Réserver", exact=True).is_visible()
    phone.shot("learner-printer-training-required")
    assert phone.errors(allowed_statuses=(422,)) == []


def test_a_quota_refusal_shows_the_limit_and_the_booking_that_holds_it(phone_factory, live_server):
    with api_client(live_server, "learner2") as learner:
        first_day = next_open_day(learner)
        second_day = open_day_after(learner, first_day)
        slot = learner.get("/api/availability", params={"site": "vlg", "kind": "laptop", "date": first_day}).json()["slots"][0]
        held = learner.post("/api/bookings", json={"site": "vlg", "kind": "laptop", "starts_at": slot["starts_at"],
                                                   "ends_at": slot["ends_at"]})
        assert held.status_code == 201, held.text
    phone = phone_factory(width=360)
    sign_in(phone, "learner2")
    page = book_first_free_slot(phone, "laptop", second_day)
    page.get_by_role("button", name="Réserver", exact=True).click()
    alert = page.locator(".refusal[role=alert]")
    alert.wait_for()
    text = alert.inner_text()
    assert "Limite atteinte : une seule réservation en cours à la fois" in text
    assert held.json()["resource_name"] in text
    assert any(month in text for month in FRENCH_MONTHS) and "T09" not in text
    alert.get_by_role("link", name=re.compile("Mes réservations")).wait_for()
    assert no_horizontal_scroll(page)
    phone.shot("learner-quota-refusal")
    assert phone.errors(allowed_statuses=(422,)) == []


def test_a_taken_unit_offers_the_free_ones_and_any_laptop_in_one_tap(phone_factory, live_server):
    with api_client(live_server, "learner5") as other:
        day = next_open_day(other)
        slot = other.get("/api/availability", params={"site": "vlg", "kind": "laptop", "date": day}).json()["slots"][0]
        taken = other.post("/api/bookings", json={"resource": "VLG-LAP-001", "starts_at": slot["starts_at"],
                                                  "ends_at": slot["ends_at"]})
        assert taken.status_code == 201, taken.text
    phone = phone_factory(width=360)
    sign_in(phone, "learner1")
    page = phone.goto(f"/#/book?site=vlg&kind=laptop&tag=VLG-LAP-001&date={day}")
    offer = page.locator(".alternatives")
    offer.wait_for()
    assert "Plus rien de libre" not in page.locator("main").inner_text()
    assert offer.get_by_role("button").count() >= 2
    phone.shot("learner-unit-taken-alternatives")
    offer.get_by_role("button", name="N’importe quel portable").click()
    page.locator("button.slot:not(.full)").first.click()
    page.get_by_role("button", name="Réserver", exact=True).click()
    page.get_by_role("heading", name="Mes réservations").wait_for()
    assert section(page, "À venir").locator("li").count() == 1

    # A full slot of a chosen room offers any room free at that time, in one tap.
    with api_client(live_server, "learner6") as third:
        slot = third.get("/api/availability", params={"site": "vlg", "kind": "room", "date": day}).json()["slots"][2]
        assert third.post("/api/bookings", json={"resource": "VLG-ROOM-001", "starts_at": slot["starts_at"],
                                                 "ends_at": slot["ends_at"]}).status_code == 201
    page = phone.goto(f"/#/book?site=vlg&kind=room&tag=VLG-ROOM-001&date={day}")
    page.locator("button.slot.full").first.click()
    page.get_by_role("button", name="Prendre n’importe quelle salle libre à cette heure").click()
    page.get_by_role("heading", name="Mes réservations").wait_for()
    upcoming = section(page, "À venir")
    assert upcoming.locator("li").count() == 2
    assert "Salle" in upcoming.inner_text() and "Salle Ada Lovelace" not in upcoming.inner_text()
    assert phone.errors() == []


def test_once_today_s_opening_is_over_the_list_starts_on_the_next_open_day(phone_factory, live_server, database_url):
    """At 19:00 a learner opening "Réserver" lands on tomorrow, not on a day with nothing left.
    Today's hours end at 00:01 here, whatever the hour the test runs (the other days keep theirs)."""
    today = datetime.now(PARIS).date()
    code = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[today.weekday()]
    days = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    run_sql(database_url, "UPDATE site SET opening_hours = $1::jsonb WHERE slug = 'vlg'",
            json.dumps({**days, code: [["00:00", "00:01"]]}))
    phone = phone_factory(width=360)
    sign_in(phone, "learner1")
    page = phone.goto("/#/book?site=vlg&kind=room")
    page.locator("button.slot").first.wait_for()
    offered = page.get_by_label("Jour").locator("option").evaluate_all("options => options.map(o => o.value)")
    assert offered and today.isoformat() not in offered, offered
    assert page.get_by_label("Jour").input_value() == offered[0] > today.isoformat()
    assert phone.errors() == []


def test_only_open_days_are_offered(phone_factory, live_server):
    with api_client(live_server, "admin") as admin:
        closed = next_open_day(admin)
        made = admin.post("/api/sites/vlg/closures", json={"starts_on": closed, "ends_on": closed, "reason": "Inventaire"})
        assert made.status_code == 201, made.text
        public = {row["starts_on"] for row in admin.get("/api/sites/vlg/closures").json()}
    phone = phone_factory(width=360)
    sign_in(phone, "learner1")
    page = phone.goto("/#/book?site=vlg&kind=room")
    page.locator("button.slot, .notice").first.wait_for()
    offered = page.get_by_label("Jour").locator("option").evaluate_all("options => options.map(o => o.value)")
    assert offered, "no day offered"
    assert closed not in offered
    for day in offered:
        assert date.fromisoformat(day).weekday() < 5, day  # the demo sites open Monday to Friday
        assert day not in public
    # A closed day asked for by its address gives way to the first open one.
    page = phone.goto(f"/#/book?site=vlg&kind=room&date={closed}")
    page.locator("button.slot").first.wait_for()
    assert page.get_by_label("Jour").input_value() != closed
    assert "fermé" not in page.locator("main").inner_text()

    # Rooms booked at most 4 days ahead: the list stops there; laptops still go two weeks ahead.
    with api_client(live_server, "admin") as admin:
        policy = {"unit": "minutes", "slot_minutes": 30, "min_length": 30, "max_length": 240, "max_days_ahead": 4}
        assert admin.put("/api/policies/vlg/room", json=policy).status_code == 200
    horizon = (date.today() + timedelta(days=4)).isoformat()
    page = phone.goto("/#/book?site=vlg&kind=room")
    page.reload()  # a fresh screen: the previous one's slots must not answer the waits below
    page.locator("button.slot").first.wait_for()
    assert until(lambda: "" < last_day_offered(page) <= horizon), last_day_offered(page)
    page.get_by_text("Ordinateur portable").click()
    assert until(lambda: last_day_offered(page) > horizon), last_day_offered(page)
    assert phone.errors() == []


def test_cancelled_bookings_to_come_have_their_own_place(phone_factory, live_server):
    with api_client(live_server, "learner4") as learner:
        day = next_open_day(learner)
        slot = learner.get("/api/availability", params={"site": "vlg", "kind": "room", "date": day}).json()["slots"][4]
        made = learner.post("/api/bookings", json={"resource": "VLG-ROOM-001", "starts_at": slot["starts_at"],
                                                   "ends_at": slot["ends_at"]})
        assert made.status_code == 201, made.text
    phone = phone_factory(width=360)
    sign_in(phone, "learner4")
    page = phone.goto("/#/bookings")
    upcoming = section(page, "À venir")
    upcoming.get_by_role("button", name="Annuler la réservation").click()
    upcoming.get_by_role("button", name="Confirmer l’annulation").click()
    cancelled = section(page, "Annulées")
    cancelled.get_by_text("Annulée", exact=True).wait_for()
    assert section(page, "Passées").get_by_text("Annulée", exact=True).count() == 0
    assert upcoming.locator("li").count() == 0
    toast = page.locator("#toast")
    assert toast.inner_text() == "Réservation annulée."
    phone.shot("learner-cancelled-section")
    # The toast does not follow the learner to the next screen, nor to the login page.
    phone.goto("/#/book")
    page.get_by_role("heading", name="Réserver", exact=True).wait_for()
    assert not toast.is_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Connexion").wait_for()
    assert not toast.is_visible() and "annulée" not in page.locator("body").inner_text()
    assert phone.errors() == []


def test_joining_the_waitlist_at_the_quota_warns_at_once_and_shows_the_item_name(phone_factory, live_server,
                                                                                  database_url):
    with api_client(live_server, "learner8") as learner:
        first_day = next_open_day(learner)
        second_day = open_day_after(learner, first_day)
        slot = learner.get("/api/availability", params={"site": "vlg", "kind": "laptop", "date": first_day}).json()["slots"][0]
        assert learner.post("/api/bookings", json={"site": "vlg", "kind": "laptop", "starts_at": slot["starts_at"],
                                                   "ends_at": slot["ends_at"]}).status_code == 201
    hold_every_unit(database_url, "laptop", second_day)
    name = run_sql(database_url, "SELECT name FROM resource WHERE tag = 'VLG-LAP-003'")[0]["name"]
    phone = phone_factory(width=360)
    sign_in(phone, "learner8")
    page = phone.goto(f"/#/book?site=vlg&kind=laptop&tag=VLG-LAP-003&date={second_day}")
    page.locator("button.slot.full").first.click()
    page.get_by_role("button", name="M’avertir si une place se libère").click()
    page.get_by_text("Vous êtes sur la liste d’attente").wait_for()
    warning = page.locator(".refusal")
    warning.wait_for()
    assert "Limite atteinte" in warning.inner_text() and "Tant que c’est le cas" in warning.inner_text()
    phone.shot("learner-waitlist-quota-warning")
    page = phone.goto("/#/bookings")
    waiting = section(page, "Liste d’attente")
    waiting.get_by_text(name).wait_for()
    assert "VLG-LAP-003" not in waiting.inner_text()
    assert "n’a pas pu vous être donnée" not in page.locator("main").inner_text()
    phone.shot("learner-waitlist-entry-named")
    assert phone.errors() == []


def test_the_sticky_confirm_bar_never_hides_the_chosen_slot(phone_factory, live_server):
    with api_client(live_server, "learner9") as learner:
        day = next_open_day(learner)
    phone = phone_factory(width=360)
    phone.page.set_viewport_size({"width": 360, "height": 640})
    sign_in(phone, "learner9")
    page = phone.goto(f"/#/book?site=vlg&kind=room&date={day}")
    slots = page.locator("button.slot:not(.full)")
    slots.first.wait_for()
    for index in (slots.count() - 1, slots.count() // 2, 0):
        slot = slots.nth(index)
        slot.click()
        bar = page.locator(".confirm-bar")
        bar.wait_for()
        slot_box, bar_box = slot.bounding_box(), bar.bounding_box()
        assert slot_box["y"] + slot_box["height"] <= bar_box["y"], (index, slot_box, bar_box)
        assert slot_box["y"] >= 0
    assert no_horizontal_scroll(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(scale="css", path=str(SCREENSHOTS / "learner-confirm-bar-360x640.png"))
    assert phone.errors() == []


def test_staff_book_a_room_for_a_learner_of_their_site(phone_factory, live_server):
    with api_client(live_server, "staff.vlg") as staff:
        day = next_open_day(staff)
        learner = staff.get("/api/users", params={"q": "learner5", "role": "learner"}).json()
        learner = (learner if isinstance(learner, list) else learner["users"])[0]
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto(f"/#/book?site=vlg&kind=room&date={day}")
    page.locator("#book-for summary").click()
    page.get_by_label("Chercher un·e apprenant·e").fill(learner["name"][:4])
    page.get_by_role("button", name=re.compile(re.escape(learner["name"]))).first.click()
    page.get_by_text(f"Pour : {learner['name']}").wait_for()
    page.locator("button.slot:not(.full)").first.click()
    page.get_by_role("button", name="Réserver", exact=True).click()
    done = page.get_by_text(re.compile(f"^Réservé pour {re.escape(learner['name'])}"))
    done.wait_for()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot("staff-book-for-learner")
    with api_client(live_server, "learner5") as booked:
        mine = booked.get("/api/bookings", params={"mine": "true"}).json()
    assert [(b["kind"], b["status"]) for b in mine] == [("room", "confirmed")]
    assert phone.errors() == []


def test_book_and_calendars_offer_a_retry_when_offline(phone_factory, live_server):
    phone = phone_factory(width=360)
    sign_in(phone, "learner1")
    page = phone.page
    # Each screen's module is loaded once online (the service worker keeps them for later visits).
    for path, heading in (("/#/book", "Réserver"), ("/#/calendars", "Calendriers")):
        phone.goto(path)
        page.get_by_role("heading", name=heading, exact=True).wait_for()
    for path, heading in (("/#/book", "Réserver"), ("/#/calendars", "Calendriers")):
        phone.goto("/#/")
        page.get_by_role("heading", name=re.compile("^Bonjour")).wait_for()
        page.context.set_offline(True)
        page.evaluate(f"location.hash = {path[1:]!r}")
        retry = page.get_by_role("button", name="Réessayer")
        retry.wait_for()
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
        assert "Pas de connexion" in page.get_by_role("alert").inner_text()
        phone.shot(f"learner-offline-retry-{heading.lower()}")
        page.context.set_offline(False)
        retry.click()
        if heading == "Réserver":
            page.locator("button.slot, .notice.ok").first.wait_for()
        else:
            page.get_by_role("button", name="Créer mon lien d’agenda").wait_for()
        assert page.get_by_role("button", name="Réessayer").count() == 0
    assert phone.page_errors == []


def test_the_private_calendar_link_is_shown_again_copied_and_rotated(phone_factory, live_server):
    phone = phone_factory(width=360)
    phone.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    sign_in(phone, "learner1")
    page = phone.goto("/#/calendars")
    page.get_by_role("button", name="Créer mon lien d’agenda").click()
    address = page.get_by_label("Adresse de mon agenda privé")
    address.wait_for()
    first = address.input_value()
    assert "/cal/me/" in first
    # Seen again later, on another visit: the same link.
    page.reload()
    page.get_by_role("heading", name="Calendriers").wait_for()
    assert page.get_by_label("Adresse de mon agenda privé").input_value() == first
    text = page.locator("main").inner_text()
    assert "Lien https" not in text and "webcal" not in text
    mine = page.locator("section.card")
    mine.get_by_role("button", name="Copier").click()
    mine.get_by_text("Adresse copiée.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == first
    google = mine.get_by_role("link", name="Ajouter à Google Agenda")
    assert google.get_attribute("href").startswith("https://calendar.google.com/")
    assert mine.get_by_role("link", name="Ajouter à l’agenda du téléphone").get_attribute("href").startswith("webcal://")
    mine.locator("summary", has_text="Comment l’ajouter").click()
    for app in ("Google Agenda", "iPhone", "Outlook", "Thunderbird"):
        assert app in mine.inner_text()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot("learner-calendars-link")

    mine.get_by_role("button", name=re.compile("^Créer un nouveau lien")).click()
    mine.get_by_role("button", name="Confirmer : remplacer le lien").click()
    mine.get_by_text("Votre lien est prêt").wait_for()
    second = page.get_by_label("Adresse de mon agenda privé").input_value()
    assert second != first
    with api_client(live_server) as anon:
        assert anon.get(first.removeprefix(live_server)).status_code == 404
        assert anon.get(second.removeprefix(live_server)).status_code == 200
    assert phone.errors() == []
