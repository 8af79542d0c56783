"""A laptop comes back damaged at the desk (issue 25 item 2, issue 28 major 6), on a Pixel 5 in French
at 360 px: the desk's answer says which bookings moved to another laptop and which were cancelled
(their learners told); the learner whose booking moved sees it in "Mes réservations", same slot,
another laptop, and why."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from tests.support.browser import api_client, no_horizontal_scroll, serious_violations, sign_in
from tests.support.bookings import PARIS, next_wednesday


def day_booking(day: date) -> dict:
    return {"starts_at": datetime.combine(day, time(9), PARIS).isoformat(),
            "ends_at": datetime.combine(day, time(18), PARIS).isoformat()}


def book(base: str, login: str, **target) -> dict:
    with api_client(base, login) as client:
        response = client.post("/api/bookings", json=target)
        assert response.status_code == 201, response.text
        return response.json()


def damaged_laptop_with_bookings(base: str) -> tuple[dict, dict]:
    """learner1 booked a laptop by kind for Wednesday; learner4 booked that very laptop for Thursday;
    the laptop is lent now to learner3."""
    wednesday = next_wednesday()
    by_kind = book(base, "learner1", site="vlg", kind="laptop", **day_booking(wednesday))
    unit = by_kind["resource"]
    by_tag = book(base, "learner4", resource=unit, **day_booking(wednesday + timedelta(days=1)))
    with api_client(base, "staff.vlg") as staff:
        due = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
        lent = staff.post("/api/checkouts", json={"tag": unit, "user": "learner3", "due_at": due})
        assert lent.status_code == 201, lent.text
    return by_kind, by_tag


def test_the_desk_says_what_became_of_the_bookings_and_the_learner_sees_the_move(phone_factory, live_server):
    by_kind, by_tag = damaged_laptop_with_bookings(live_server)
    unit = by_kind["resource"]

    desk = phone_factory(width=360)
    sign_in(desk, "staff.vlg")
    page = desk.goto(f"/t/{unit}")
    page.get_by_label("État au retour").select_option("damaged")
    page.get_by_label("Remarque").first.fill("Écran fissuré")
    page.get_by_role("button", name="Enregistrer le retour").click()
    card = page.locator("section.rebooked")
    card.get_by_role("heading", name="Réservations de cet objet").wait_for()
    moved_group = card.get_by_role("heading", name="Déplacées sur un autre objet (1)")
    withdrawn_group = card.get_by_role("heading", name="Annulées, apprenant·e prévenu·e (1)")
    assert moved_group.is_visible() and withdrawn_group.is_visible()
    text = card.inner_text()
    assert by_kind["user"]["name"] in text and by_tag["user"]["name"] in text
    moved_to = re.search(r"passe sur (VLG-LAP-\d{3})", text).group(1)
    assert moved_to != unit
    assert page.locator(".facts").get_by_text("En maintenance").is_visible()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    desk.shot("moved-booking-desk-answer")

    learner, page = bookings_of(phone_factory, "learner1")
    upcoming = page.locator("section[aria-labelledby=h-upcoming]")
    line = upcoming.locator("li.item", has_text=moved_to)
    line.get_by_text(f"L’équipement prévu ({unit}) n’est plus disponible : le fablab vous a réservé {moved_to} "
                      "au même horaire.").wait_for()
    assert line.get_by_text("Confirmée").is_visible()
    assert serious_violations(page) == []
    learner.shot("moved-booking-learner")

    told, page = bookings_of(phone_factory, "learner4")
    page.get_by_text("Annulée par le fablab : cet équipement part en maintenance.", exact=False).wait_for()
    told.shot("moved-booking-withdrawn-learner")
    for phone in (desk, learner, told):
        assert phone.errors() == []


def bookings_of(phone_factory, login: str):
    """A learner's "Mes réservations" at 360 px (no sideways scrolling)."""
    phone = phone_factory(width=360)
    sign_in(phone, login)
    page = phone.goto("/#/bookings")
    page.get_by_role("heading", name="Mes réservations").wait_for()
    assert no_horizontal_scroll(page)
    return phone, page
