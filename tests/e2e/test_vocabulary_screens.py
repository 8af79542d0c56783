"""Issue 18, one vocabulary: the screens list the kinds the server serves (GET /api/vocabulary), not a
copy of their own, and a retired item's history says so in words."""

from __future__ import annotations

import json
import re

from tests.support.browser import SCREENSHOTS, api_client, no_horizontal_scroll, sign_in

SHOTS = "vocabulary"


def serve_kinds(phone, kinds: list[str]) -> None:
    """The server's vocabulary with only these kinds, in this order (the page's own requests only:
    the phone runs without a service worker, so page.route sees every one)."""
    def answer(route):
        words = route.fetch().json()
        route.fulfill(status=200, content_type="application/json", body=json.dumps({**words, "kinds": kinds}))

    phone.page.route("**/api/vocabulary", answer)


def kind_choices(page) -> list[str]:
    group = page.locator("fieldset", has=page.locator("legend", has_text="Quoi ?"))
    return [text.strip() for text in group.locator("label").all_inner_texts()]


def test_the_booking_and_inventory_screens_list_the_kinds_the_server_serves(phone_factory):
    learner = phone_factory(service_workers="block")
    serve_kinds(learner, ["room", "laptop"])
    sign_in(learner, "learner1")
    page = learner.goto("/#/book?site=vlg")
    page.get_by_role("radio", name="Salle").wait_for()
    assert kind_choices(page) == ["Salle", "Ordinateur portable"]
    # No kind asked for: the first the server lists.
    assert page.get_by_role("radio", name="Salle").is_checked()
    assert no_horizontal_scroll(page)
    learner.shot(f"{SHOTS}-book-two-kinds")

    staff = phone_factory(service_workers="block")
    serve_kinds(staff, ["printer_3d", "room"])
    sign_in(staff, "staff.vlg")
    page = staff.goto("/#/inventory")
    page.get_by_role("heading", name="Nouvel objet").wait_for()
    filter_kinds, new_item_kinds = page.get_by_label("Type", exact=True).all()  # the filter, the new item
    assert filter_kinds.locator("option").all_inner_texts() == ["Tous les types", "Imprimante 3D", "Salle"]
    assert new_item_kinds.locator("option").all_inner_texts() == ["Imprimante 3D", "Salle"]
    staff.shot(f"{SHOTS}-inventory-two-kinds")
    assert learner.errors() == [] and staff.errors() == []


def test_a_retired_item_shows_retired_in_its_history(phone, live_server):
    with api_client(live_server, "staff.vlg") as client:
        changed = client.patch("/api/resources/VLG-LAP-011", json={"status": "retired", "note": "Écran cassé"})
        assert changed.status_code == 200, changed.text
    sign_in(phone, "staff.vlg")
    page = phone.goto("/t/VLG-LAP-011")
    history = page.locator("ol.history")
    history.wait_for()
    line = history.locator("li.history-retired")
    assert line.locator(".item-title").inner_text() == "Retiré du prêt"
    assert "Écran cassé" in line.inner_text()
    assert re.search(r"\bretired\b", history.inner_text()) is None
    phone.shot(f"{SHOTS}-retired-history")
    assert phone.errors() == []
    assert (SCREENSHOTS / f"{SHOTS}-retired-history.png").exists()
