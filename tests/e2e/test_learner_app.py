"""The learner's phone: French UI, accessible screens, no horizontal scroll, data shown as text."""

from __future__ import annotations

import re

from tests.support.browser import no_horizontal_scroll, serious_violations, sign_in


FIRST_SCREEN_BUDGET = 150 * 1024


def test_login_page_is_french_light_and_accessible(phone_factory, live_server):
    phone = phone_factory(width=360)
    loaded = []
    phone.page.on("requestfinished", lambda request: loaded.append(request))
    page = phone.goto("/")
    page.get_by_role("heading", name="Connexion").wait_for()
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot("01-connexion")
    assert phone.errors() == []
    page.wait_for_load_state("networkidle")
    # Nothing from other hosts; the whole first screen (uncompressed, so an upper bound) under budget.
    assert all(request.url.startswith(live_server) for request in loaded)
    total = sum(request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"] for request in loaded)
    assert total < FIRST_SCREEN_BUDGET, total


def test_learner_screens_in_french_without_errors(phone_factory):
    phone = phone_factory(width=360)
    sign_in(phone, "learner1")
    page = phone.page
    assert page.evaluate("document.documentElement.lang") == "fr"
    screens = [
        ("/#/", re.compile("^Bonjour"), "02-accueil-apprenant"),
        ("/#/book", "Réserver", "03-reserver"),
        ("/#/bookings", "Mes réservations", "04-mes-reservations"),
        ("/#/pass", "Mon pass", "05-mon-pass"),
        ("/#/calendars", "Calendriers", "06-calendriers"),
    ]
    for path, heading, name in screens:
        phone.goto(path)
        page.get_by_role("heading", name=heading, exact=isinstance(heading, str)).wait_for()
        page.wait_for_load_state("networkidle")
        assert no_horizontal_scroll(page), path
        assert serious_violations(page) == [], path
        phone.shot(name)
    assert phone.errors() == []
    assert phone.dialogs == []


def test_english_can_be_chosen(phone):
    page = phone.goto("/#/login")
    page.get_by_role("heading", name="Connexion").wait_for()
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("heading", name="Sign in").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.reload()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert phone.errors() == []


def test_own_pass_and_bookings_readable_offline_and_forgotten_at_logout(phone):
    sign_in(phone, "learner1")
    page = phone.page
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker's control
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    for path, heading in (("/#/bookings", "Mes réservations"), ("/#/pass", "Mon pass")):
        phone.goto(path)
        page.get_by_role("heading", name=heading).wait_for()
        page.wait_for_load_state("networkidle")

    page.context.set_offline(True)
    page.reload()
    page.get_by_role("heading", name="Mon pass").wait_for()
    page.locator("img.pass-qr").wait_for()
    assert page.get_by_text("Hors ligne :").is_visible()
    phone.shot("07-pass-hors-ligne")
    phone.goto("/#/bookings")
    page.get_by_role("heading", name="Mes réservations").wait_for()
    assert page.get_by_text("Hors ligne :").is_visible()

    page.context.set_offline(False)
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Connexion").wait_for()
    assert page.evaluate("caches.has('fablab-user')") is False
    # Signed out, the pass screen asks to sign in again rather than showing the cached pass.
    phone.goto("/#/pass")
    page.get_by_role("heading", name="Connexion").wait_for()
    # Offline, the browser logs the failed network requests; the app itself threw nothing.
    assert phone.page_errors == []
