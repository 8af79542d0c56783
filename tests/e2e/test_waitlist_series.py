"""The screens of issue 10 end to end: a learner queues for a full day from the booking screen and is
told when a place frees; staff see the queue; staff create a weekly series with one taken date and
cancel "this and following" occurrences."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tests.support.browser import api_client, next_open_day, no_horizontal_scroll, run_sql, serious_violations, sign_in
from tests.support.series import clear_tuesdays

PARIS = ZoneInfo("Europe/Paris")


def at(day: str | date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(str(day)), time(hh, mm), PARIS)


def hold_all_laptops(database_url: str, day: str, holder: str = "learner10") -> list[int]:
    """Every laptop at vlg booked by `holder` for the whole opening day; their booking ids."""
    rows = run_sql(
        database_url,
        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until) "
        "SELECT r.id, r.site_id, r.kind, u.id, u.id, $1, $2, $2 FROM resource r JOIN site s ON s.id = r.site_id, "
        "app_user u WHERE s.slug = 'vlg' AND r.kind = 'laptop' AND u.login = $3 ORDER BY r.tag RETURNING id",
        at(day, 9), at(day, 18), holder)
    return [row["id"] for row in rows]


def waitlist_rows(database_url: str) -> list[dict]:
    return run_sql(database_url, "SELECT w.id, w.status, w.day, w.seen_at, w.booking_id, u.login FROM waitlist_entry w "
                                 "JOIN app_user u ON u.id = w.user_id ORDER BY w.id")


def join_from_book_screen(page, day: str) -> None:
    page.goto(page.url.split("#")[0] + f"#/book?site=vlg&kind=laptop&date={day}")
    full = page.locator("button.slot.full").first
    full.click()
    assert full.get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="M’avertir si une place se libère").click()


def test_learner_joins_the_waitlist_of_a_full_day_and_sees_their_place(phone_factory, live_server, database_url):
    with api_client(live_server, "staff.vlg") as staff:
        day = next_open_day(staff)
    hold_all_laptops(database_url, day)

    phone = phone_factory(width=360)
    sign_in(phone, "learner1")
    page = phone.page
    join_from_book_screen(page, day)
    status = page.get_by_role("status").filter(has_text="liste d’attente")
    status.wait_for()
    assert "position 1" in status.inner_text()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot("70-liste-attente-rejointe")
    rows = waitlist_rows(database_url)
    assert [(r["login"], r["status"], r["day"].isoformat()) for r in rows] == [("learner1", "waiting", day)]

    # One wish per day and kind: asking again says so, and adds nothing.
    join_from_book_screen(page, day)
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "déjà sur la liste d’attente" in alert.inner_text()
    assert len(waitlist_rows(database_url)) == 1

    page.get_by_role("link", name="Mes réservations").first.click()
    waiting = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Liste d’attente")))
    waiting.get_by_text("Position 1 dans la file").wait_for()
    assert waiting.locator("li").count() == 1
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot("71-mes-reservations-attente")

    # Leaving the list is two taps and ends the entry.
    waiting.get_by_role("button", name="Quitter la liste").click()
    waiting.get_by_role("button", name="Confirmer : quitter la liste").click()
    waiting.get_by_text("Vous n’attendez aucune place.").wait_for()
    assert [r["status"] for r in waitlist_rows(database_url)] == ["removed"]
    assert phone.errors(allowed_statuses=(409,)) == []
    assert phone.dialogs == []


def test_staff_see_the_queue_and_the_learner_is_told_when_a_place_frees(phone_factory, live_server, database_url):
    with api_client(live_server, "staff.vlg") as staff:
        day = next_open_day(staff)
        held = hold_all_laptops(database_url, day)
        learner = phone_factory(width=360)
        sign_in(learner, "learner1")
        join_from_book_screen(learner.page, day)
        learner.page.get_by_role("status").filter(has_text="position 1").wait_for()

        # Staff see who waits, in order; nothing is free, so promoting says so.
        desk = phone_factory(width=360)
        sign_in(desk, "staff.vlg")
        page = desk.goto(f"/#/waitlist?site=vlg&date={day}")
        laptops = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Ordinateur portable")))
        laptops.get_by_text("learner1").wait_for()
        assert "n° 1" in laptops.locator("li").first.inner_text()
        assert no_horizontal_scroll(page)
        assert serious_violations(page) == []
        desk.shot("72-listes-attente-equipe")
        laptops.get_by_role("button", name="Lui réserver une place").click()
        page.get_by_role("alert").filter(has_text="Rien de libre").wait_for()
        assert [r["status"] for r in waitlist_rows(database_url)] == ["waiting"]

        # A laptop is given back: the first in line gets it at once.
        assert staff.post(f"/api/bookings/{held[0]}/cancel").status_code == 200
    assert [r["status"] for r in waitlist_rows(database_url)] == ["booked"]

    page = learner.goto("/#/")
    banner = page.get_by_text("une place s’est libérée")
    banner.wait_for()
    assert serious_violations(page) == []
    learner.shot("73-accueil-place-liberee")
    page.get_by_role("link", name="Voir mes réservations").click()
    page.get_by_role("heading", name="Mes réservations").wait_for()
    freed = page.locator(".freed")
    assert "est à vous" in freed.inner_text()
    upcoming = page.locator("section", has=page.get_by_role("heading", name=re.compile("^À venir")))
    upcoming.get_by_text("Confirmée").wait_for()
    learner.shot("74-place-liberee")
    freed.get_by_role("button", name="OK").click()
    freed.wait_for(state="detached")
    assert waitlist_rows(database_url)[0]["seen_at"] is not None
    page = learner.goto("/#/")
    page.get_by_role("heading", name=re.compile("^Bonjour")).wait_for()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("une place s’est libérée").count() == 0
    assert learner.errors() == []
    assert desk.errors(allowed_statuses=(409,)) == []


def test_staff_create_a_weekly_series_with_a_taken_date(phone_factory, live_server, database_url):
    days = clear_tuesdays(4)
    taken = days[2]
    run_sql(database_url,
            "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, "
            "purpose) SELECT r.id, r.site_id, r.kind, u.id, u.id, $1, $2, $2, 'Révisions' FROM resource r, app_user u "
            "WHERE r.tag = 'VLG-ROOM-001' AND u.login = 'learner1'",
            at(taken, 10), at(taken, 11))

    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.page
    page.get_by_role("navigation").get_by_role("button", name="Menu").click()  # staff screens are in a menu
    page.get_by_role("navigation").get_by_role("link", name="Séries").click()
    page.get_by_role("heading", name="Série de réservations", level=1).wait_for()
    page.get_by_label("Type de matériel").select_option("room")
    page.get_by_label("Quel objet ?").select_option("VLG-ROOM-001")
    page.get_by_label("Premier jour").fill(days[0].isoformat())
    page.get_by_label("Heure de début").fill("09:00")
    page.get_by_label("Heure de fin").fill("12:30")
    page.get_by_label("Mardi").check()
    page.get_by_label("Nombre de séances", exact=True).fill("4")
    page.get_by_label("Motif").fill("Cohorte B")
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.get_by_role("button", name="Vérifier").click()

    # Nothing is created; the report names the taken date and who holds it.
    page.get_by_role("alert").filter(has_text="Certaines dates sont déjà prises").wait_for()
    rows = page.locator("table.report tbody tr")
    assert rows.count() == 4
    conflict_row = rows.nth(2).inner_text()
    assert "Déjà prise" in conflict_row and "Révisions" in conflict_row
    assert all("Libre" in rows.nth(i).inner_text() for i in (0, 1, 3))
    assert run_sql(database_url, "SELECT count(*) AS n FROM booking_series")[0]["n"] == 0
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot("75-serie-rapport")

    page.get_by_role("button", name="Créer toutes les dates libres").click()
    page.get_by_role("status").filter(has_text="Série créée : 3 réservation(s).").wait_for()
    assert "Réservée" in page.locator("table.report tbody tr").first.inner_text()
    phone.shot("76-serie-creee")
    made = run_sql(database_url, "SELECT occurrence_date, status, purpose FROM booking WHERE series_id IS NOT NULL "
                                 "ORDER BY occurrence_date")
    assert [(r["occurrence_date"], r["status"], r["purpose"]) for r in made] == [
        (d, "confirmed", "Cohorte B") for d in days if d != taken]

    # The occurrences are the staff member's own: cancel the second and the following ones.
    page.get_by_role("link", name="Voir mes réservations").click()
    upcoming = page.locator("section", has=page.get_by_role("heading", name=re.compile("^À venir")))
    second = upcoming.locator("li").nth(1)
    second.get_by_text("Annuler la réservation").click()
    second.get_by_role("button", name="Celle-ci et les suivantes").click()
    second.get_by_role("button", name="Confirmer : Celle-ci et les suivantes").click()
    page.locator("#toast").get_by_text("2 séances annulées.").wait_for()
    after = run_sql(database_url, "SELECT occurrence_date, status FROM booking WHERE series_id IS NOT NULL "
                                  "ORDER BY occurrence_date")
    assert [r["status"] for r in after] == ["confirmed", "cancelled", "cancelled"]
    assert phone.errors(allowed_statuses=(409,)) == []
    assert phone.dialogs == []
