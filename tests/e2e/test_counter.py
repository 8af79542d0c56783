"""The counter driven by a barcode scanner (issue 31), with the keyboard only, as a wedge scanner
types: a pass and ten tags each followed by Enter lend a basket in one confirmation (Enter on the
empty field), the same ten scanned in return mode come back as "bon état" unless staff change one,
and bad codes say so in one message that never piles up."""

from __future__ import annotations

import json
import time

import pytest

from tests.support.browser import api_client, no_horizontal_scroll, run_sql, serious_violations, sign_in

# Six demo laptops of Villeneuve nobody books, and four more made for the test: ten items.
TAGS = [f"VLG-LAP-{n:03d}" for n in range(7, 17)]
FIELD = "[data-counter-field]"


@pytest.fixture(autouse=True)
def open_whenever_the_test_runs(live_server, database_url):
    """The counter's walk-up loans as during opening hours, at any hour CI runs (after 18:00 a loan
    needs a return time the desk gives: tests/e2e/test_desk_lending.py walks that on its own)."""
    every_day = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    run_sql(database_url, "UPDATE site SET opening_hours = $1::jsonb WHERE slug = 'vlg'", json.dumps(every_day))


def add_laptops(live_server) -> None:
    with api_client(live_server, "staff.vlg") as staff:
        for n in range(13, 17):
            made = staff.post("/api/resources", json={"site": "vlg", "kind": "laptop", "name": f"Portable {n}",
                                                       "tag": f"VLG-LAP-{n:03d}"})
            assert made.status_code == 201, made.text


def scan(page, text: str) -> None:
    """What a keyboard-wedge scanner does: the code typed at once, then Enter."""
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def field_has_focus(page, seconds: float = 10) -> None:
    """Polled from Python: the app's CSP forbids wait_for_function's string predicates."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(f"() => !!document.activeElement && document.activeElement.matches('{FIELD}')"):
        assert time.monotonic() < deadline, "the counter's field lost the focus"
        time.sleep(0.1)


def loans(database_url: str) -> list:
    return run_sql(database_url, "SELECT r.tag, b.status, u.login FROM booking b JOIN resource r ON r.id = b.resource_id "
                                 "JOIN app_user u ON u.id = b.user_id WHERE r.tag = ANY($1::text[]) ORDER BY r.tag", TAGS)


def test_a_scanner_lends_ten_items_to_a_pass_then_takes_them_back(phone_factory, live_server, database_url):
    add_laptops(live_server)
    with api_client(live_server, "learner8") as learner:
        pass_url = learner.get("/api/me/pass").json()["url"]
    name = run_sql(database_url, "SELECT name FROM app_user WHERE login = 'learner8'")[0]["name"]
    phone = phone_factory(width=1024)  # a tablet at the counter
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/counter")
    field_has_focus(page)

    started = time.monotonic()
    scan(page, pass_url)
    for tag in TAGS:
        scan(page, tag)
    typed = time.monotonic() - started
    confirm = page.locator(".counter-confirm")
    try:
        confirm.filter(has_text=f"Prêter 10 objets à {name}").wait_for()
    except Exception:
        page.screenshot(scale="css", path="/tmp/counter-fail.png", full_page=True)
        raise
    page.locator(".counter-confirm:enabled").wait_for()
    checked = time.monotonic() - started
    assert page.locator(".counter-basket .counter-line").count() == 10
    assert page.locator(".counter-learner").inner_text().startswith(f"Apprenant·e : {name}")
    assert no_horizontal_scroll(page)
    page.screenshot(scale="css", path="/tmp/counter-lend-basket.png", full_page=True)
    field_has_focus(page)
    page.keyboard.press("Enter")  # Enter on the empty field: the basket goes
    page.locator(".counter-messages .notice.ok").filter(has_text=f"10 objets prêtés à {name}").wait_for()
    lend_seconds = time.monotonic() - started
    print(f"counter: a pass and 10 items scanned and lent in {lend_seconds:.1f} s "
          f"(typed in {typed:.1f} s, every line checked at {checked:.1f} s)")
    assert lend_seconds < 15
    assert [(row["status"], row["login"]) for row in loans(database_url)] == [("checked_out", "learner8")] * 10
    assert page.locator(".counter-basket .counter-line").count() == 0
    page.screenshot(scale="css", path="/tmp/counter-lent.png", full_page=True)

    page.get_by_role("link", name="Retours").click()
    field_has_focus(page)
    started = time.monotonic()
    for tag in TAGS:
        scan(page, tag)
    lines = page.locator(".counter-basket .counter-line")
    lines.nth(9).wait_for()
    # Staff change one before its window ends: it comes back damaged, the others in good condition.
    lines.filter(has_text="VLG-LAP-016").get_by_role("button", name="Abîmé").click()
    page.screenshot(scale="css", path="/tmp/counter-return-window.png", full_page=True)
    field_has_focus(page)
    page.keyboard.press("Enter")  # Enter on the empty field: every waiting return goes now
    page.locator(".counter-basket .counter-done").nth(9).wait_for()
    return_seconds = time.monotonic() - started
    print(f"counter: 10 items scanned and taken back in {return_seconds:.1f} s")
    assert [row["status"] for row in loans(database_url)] == ["returned"] * 10
    conditions = run_sql(database_url, "SELECT r.tag, m.condition FROM movement m JOIN resource r ON r.id = m.resource_id "
                                       "WHERE m.kind = 'check_in' AND r.tag = ANY($1::text[])", TAGS)
    assert {row["tag"]: row["condition"] for row in conditions} == {tag: "damaged" if tag == "VLG-LAP-016" else "ok" for tag in TAGS}
    assert lines.filter(has_text="VLG-LAP-016").get_by_text("Rendu — Abîmé").is_visible()
    assert serious_violations(page) == []
    page.screenshot(scale="css", path="/tmp/counter-returned.png", full_page=True)
    assert phone.errors() == []


def test_bad_codes_say_so_once_and_a_return_can_be_undone(phone_factory, live_server, database_url):
    with api_client(live_server, "staff.vlg") as staff:
        learner = staff.get("/api/users", params={"q": "learner9"}).json()
        learner_id = (learner if isinstance(learner, list) else learner["users"])[0]["id"]
        assert staff.post("/api/resources/VLG-LAP-007/parts", json={"name": "Chargeur"}).status_code == 201
        lent = staff.post("/api/checkouts", json={"tag": "VLG-LAP-007", "user": learner_id})
        assert lent.status_code == 201, lent.text
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/counter")
    field_has_focus(page)
    messages = page.locator(".counter-messages .notice")
    scan(page, "n’importe quoi !")
    messages.filter(has_text="n’est ni une étiquette ni un pass").wait_for()
    # A scanner set to end its codes with Tab.
    page.keyboard.type("VLG-LAP-999")
    page.keyboard.press("Tab")
    messages.filter(has_text="Aucun objet du fablab ne porte l’étiquette VLG-LAP-999.").wait_for()
    field_has_focus(page)
    # Staff last touched a button: the scanner's keys still land in the field.
    page.get_by_role("button", name="Vider le panier").focus()
    scan(page, "VLG-LAP-998")
    messages.filter(has_text="Aucun objet du fablab ne porte l’étiquette VLG-LAP-998.").wait_for()
    scan(page, "VLG-LAP-007")
    messages.filter(has_text="Portable 07 est déjà prêté à").wait_for()
    scan(page, "https://example.org/#/pass/not-a-real-pass")
    messages.filter(has_text="Pass inconnu").wait_for()
    assert messages.count() == 1  # each answer replaces the last
    page.keyboard.press("Enter")
    messages.filter(has_text="Scannez d’abord le pass").wait_for()
    assert page.locator(".counter-basket .counter-line").count() == 0
    assert no_horizontal_scroll(page)
    page.screenshot(scale="css", path="/tmp/counter-bad-code.png", full_page=True)

    page = phone.goto("/#/counter?mode=return")
    field_has_focus(page)
    scan(page, "VLG-LAP-008")
    messages.filter(has_text="Portable 08 n’est pas prêté").wait_for()
    scan(page, "VLG)LQP)ààè")  # VLG-LAP-007 from a US-layout scanner on a French keyboard
    line = page.locator(".counter-line", has_text="VLG-LAP-007")
    line.get_by_text("Repris en bon état dans").wait_for()
    page.screenshot(scale="css", path="/tmp/counter-return-phone.png", full_page=True)
    line.get_by_role("button", name="Annuler").click()
    messages.filter(has_text="Retour de Portable 07 annulé").wait_for()
    field_has_focus(page)  # the tap did not take the scanner's field away
    page.wait_for_timeout(6000)  # longer than the window: nothing is taken back
    status = run_sql(database_url, "SELECT b.status FROM booking b JOIN resource r ON r.id = b.resource_id "
                                   "WHERE r.tag = 'VLG-LAP-007'")
    assert [row["status"] for row in status] == ["checked_out"]
    # Its charger went with it: the return can be detailed on the item's own page instead.
    scan(page, "VLG-LAP-007")
    line.get_by_role("button", name="Retour détaillé sur sa fiche").click()
    page.get_by_role("heading", name="Retour", exact=True).wait_for()
    assert page.url.endswith("/t/VLG-LAP-007")
    assert phone.errors(allowed_statuses=(404, 409)) == []


def test_a_learner_signs_the_agreement_at_the_counter_or_gets_nothing(phone_factory, live_server, database_url):
    text = "Je rends le matériel à l’heure et en bon état."
    with api_client(live_server, "admin") as admin:
        assert admin.put("/api/sites/vlg/agreement", json={"text": text}).status_code == 200
    with api_client(live_server, "learner7") as learner:
        pass_url = learner.get("/api/me/pass").json()["url"]
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/counter")
    field_has_focus(page)
    for code in (pass_url, "VLG-LAP-009", "VLG-LAP-010"):
        scan(page, code)
    page.locator(".counter-confirm:enabled").wait_for()
    page.get_by_text("Charte de prêt (version 1) à signer au moment du prêt.").wait_for()
    page.keyboard.press("Enter")
    panel = page.locator(".counter-agreement")
    panel.get_by_text(text).wait_for()
    assert panel.get_by_text("Portable 09, à rendre le").is_visible()
    panel.get_by_role("button", name="Refus de signer").click()
    page.get_by_text("Pas de signature, pas de prêt : rien n’a été prêté.").wait_for()
    assert run_sql(database_url, "SELECT count(*) AS n FROM handover")[0]["n"] == 0

    for code in (pass_url, "VLG-LAP-009", "VLG-LAP-010"):
        scan(page, code)
    page.locator(".counter-confirm:enabled").wait_for()
    page.keyboard.press("Enter")
    pad = panel.locator("canvas")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 30)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 30 + (step % 3) * 25)
    page.mouse.up()
    page.screenshot(scale="css", path="/tmp/counter-agreement.png", full_page=True)
    panel.get_by_role("button", name="Signer et prêter").click()
    done = page.locator(".counter-messages .notice.ok").filter(has_text="2 objets prêtés")
    done.wait_for()
    assert done.get_by_role("link", name="Reçu du prêt (PDF)").is_visible()
    [row] = run_sql(database_url, "SELECT agreement_version, length(signature_png) AS png FROM handover")
    assert row["agreement_version"] == 1 and row["png"] > 0
    page.screenshot(scale="css", path="/tmp/counter-agreement-signed.png", full_page=True)
    assert phone.errors(allowed_statuses=(422,)) == []
