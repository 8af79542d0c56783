"""Issue 28's minor items in the browser (Pixel 5, fr-FR, 360 px), each as the person who met it: a
cancel confirmation that waits and has "Garder"; the pass's short code typed at the desk; links in
lists as 44 px tap targets; no focus box around a heading after navigation; counts in good French."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import api_client, next_open_day, no_horizontal_scroll, run_sql, sign_in


def shot(page, name: str) -> None:
    page.screenshot(scale="css", path=f"/tmp/screens28-{name}.png", full_page=True)


def book_a_laptop(live_server, login: str) -> dict:
    with api_client(live_server, login) as client:
        day = next_open_day(client)
        slot = next(s for s in client.get("/api/availability", params={"site": "vlg", "kind": "laptop", "date": day}).json()["slots"]
                    if s["free"])
        booked = client.post("/api/bookings", json={"site": "vlg", "kind": "laptop", "starts_at": slot["starts_at"],
                                                    "ends_at": slot["ends_at"]})
        assert booked.status_code == 201, booked.text
        return booked.json()


def test_the_cancel_confirmation_waits_and_offers_to_keep(phone_factory, live_server, database_url):
    booking = book_a_laptop(live_server, "learner3")
    phone = phone_factory(width=360)
    sign_in(phone, "learner3")
    page = phone.page
    page.clock.install()
    page = phone.goto("/#/bookings")
    item = page.locator("li.item", has_text=booking["resource_name"])
    item.get_by_role("button", name="Annuler").click()
    confirm = item.get_by_role("button", name="Confirmer l’annulation")
    keep = item.get_by_role("button", name="Garder")
    keep.wait_for()
    # The question stays while the person reads it (it used to go away after 6 s).
    page.clock.fast_forward(30_000)
    assert confirm.is_visible() and keep.is_visible()
    shot(page, "annuler-ou-garder")
    keep.click()
    item.get_by_role("button", name="Annuler").wait_for()
    assert keep.count() == 0
    status = run_sql(database_url, "SELECT status FROM booking WHERE id = $1", booking["id"])
    assert [row["status"] for row in status] == ["confirmed"]
    item.get_by_role("button", name="Annuler").click()
    item.get_by_role("button", name="Confirmer l’annulation").click()
    page.locator("#toast").get_by_text("Réservation annulée").wait_for()
    status = run_sql(database_url, "SELECT status FROM booking WHERE id = $1", booking["id"])
    assert [row["status"] for row in status] == ["cancelled"]
    assert phone.errors() == []


def test_the_pass_code_is_typed_at_the_desk_when_the_camera_fails(phone_factory):
    learner = phone_factory(width=360)
    sign_in(learner, "learner5")
    page = learner.goto("/#/pass")
    code = page.locator(".pass-code strong")
    code.wait_for()
    typed = code.inner_text()
    assert re.fullmatch(r"\d+-[0-9A-Z]{6}", typed), typed
    assert "accueil" in page.locator(".pass-code").inner_text()
    shot(page, "pass-code-court")
    desk = phone_factory(width=360)
    sign_in(desk, "staff.vlg")
    page = desk.goto("/#/scan")
    page.get_by_label("Code de l’étiquette").fill(typed.lower().replace("-", " "))
    page.get_by_role("button", name="Valider").click()
    page.get_by_text("Pass d’Aïcha S. (learner5) lu.").wait_for()
    shot(page, "code-tape-a-l-accueil")
    assert learner.errors() == [] and desk.errors() == []


def small_links(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll("main li a")]
        .filter((a) => a.getClientRects().length && a.getBoundingClientRect().height < 44)
        .map((a) => `${a.textContent.trim()} (${Math.round(a.getBoundingClientRect().height)} px)`)""")


def test_links_in_lists_are_44_px_tap_targets(phone_factory):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    for route, ready in (("audit", "h1"), ("reports", "h1"), ("today", "h1"), ("inventory", "li a")):
        page = phone.goto(f"/#/{route}")
        page.locator(f"main {ready}").first.wait_for()
        page.wait_for_load_state("networkidle")
        assert small_links(page) == [], route
        assert no_horizontal_scroll(page), route
    shot(page, "liens-44px-inventaire")
    assert phone.errors() == []


def test_no_focus_box_around_the_heading_after_navigation(phone_factory):
    phone = phone_factory(width=360)
    sign_in(phone, "learner1")
    page = phone.page
    page.get_by_role("link", name=re.compile("^Réserver")).first.click()
    heading = page.locator("main h1")
    heading.wait_for()
    expect(heading).to_be_focused()
    assert heading.evaluate("e => getComputedStyle(e).outlineStyle") == "none"
    shot(page, "titre-sans-cadre")
    assert phone.errors() == []


def test_the_stock_ledger_is_on_screen_and_the_restock_says_what_is_left(phone_factory, live_server):
    with api_client(live_server, "staff.vlg") as client:
        made = client.post("/api/consumables", json={"site": "vlg", "name": "ABS blanc", "unit": "g", "quantity": 1000,
                                                     "low_threshold": 200})
        assert made.status_code == 201, made.text
        used = client.post(f"/api/consumables/{made.json()['id']}/movements", json={"kind": "use", "quantity": 35,
                                                                                    "note": "Support de téléphone"})
        assert used.status_code == 201, used.text
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/consumables")
    row = page.locator("li.consumable", has_text="ABS blanc")
    row.locator("summary").click()
    row.get_by_label("Opération").select_option("restock")
    row.get_by_label("Quantité (g)").fill("700")
    row.get_by_role("button", name="Enregistrer", exact=True).click()
    # What the stock is now, in French numbers, "d’ABS" elided.
    page.locator("#toast").get_by_text("Enregistré : il reste 1\u202f665 g d’ABS blanc.").wait_for()
    row = page.locator("li.consumable", has_text="ABS blanc")
    row.locator("summary").click()
    ledger = row.locator(".ledger")
    ledger.locator("li").nth(1).wait_for()
    lines = ledger.locator("li").all_inner_texts()
    assert lines[0].startswith("Réapprovisionnement +700 g") and "stock ensuite : 1\u202f665 g" in lines[0], lines
    assert lines[1].startswith("Utilisation −35 g") and "Support de téléphone" in lines[1], lines
    assert not re.search(r"\d{4}-\d{2}-\d{2}", " ".join(lines))
    row.scroll_into_view_if_needed()
    shot(page, "stock-historique")
    assert no_horizontal_scroll(page)
    assert phone.errors() == []


def test_a_unit_is_never_both_most_and_least_used(phone_factory):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/reports")
    ranks = page.locator(".rank")
    ranks.first.wait_for()
    assert ranks.count() >= 2
    for i in range(ranks.count()):
        most = set(ranks.nth(i).locator("ol.most li").all_inner_texts())
        least = set(ranks.nth(i).locator("ol.least li").all_inner_texts())
        assert most and not most & least, (most, least)
    ranks.first.scroll_into_view_if_needed()
    page.screenshot(scale="css", path="/tmp/screens28-rapport-plus-moins-utilises.png")
    assert phone.errors() == []


def test_a_freed_place_cancelled_since_is_no_news_on_home(phone_factory, live_server, database_url):
    booking = book_a_laptop(live_server, "learner8")
    run_sql(database_url, "INSERT INTO waitlist_entry (user_id, site_id, kind, resource_id, day, starts_at, ends_at, status, "
                          "booking_id, resolved_at) SELECT b.user_id, b.site_id, b.kind, NULL, (b.starts_at AT TIME ZONE "
                          "'Europe/Paris')::date, b.starts_at, b.ends_at, 'booked', b.id, now() FROM booking b WHERE b.id = $1",
            booking["id"])
    phone = phone_factory(width=360)
    sign_in(phone, "learner8")
    page = phone.page
    page.locator(".freed-banner").wait_for()
    with api_client(live_server, "learner8") as client:
        assert client.post(f"/api/bookings/{booking['id']}/cancel").status_code == 200
    page = phone.goto("/#/bookings")
    page.get_by_role("heading", name="Mes réservations").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator(".freed").count() == 0
    page = phone.goto("/#/")
    page.locator(".next-booking").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator(".freed-banner").count() == 0
    shot(page, "accueil-sans-place-liberee-annulee")
    assert phone.errors() == []


def test_maintenance_done_counts_in_the_item_history(phone_factory, live_server):
    with api_client(live_server, "staff.vlg") as client:
        done = client.post("/api/resources/VLG-P3D-001/maintenance", json={"task": "Nettoyer la buse", "note": ""})
        assert done.status_code == 201, done.text
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/t/VLG-P3D-001")
    summary = page.locator("section[aria-labelledby='h-history'] p.hint", has_text="Prêts")
    summary.wait_for()
    assert "entretiens : 1" in summary.inner_text(), summary.inner_text()
    summary.scroll_into_view_if_needed()
    page.screenshot(scale="css", path="/tmp/screens28-historique-entretien.png")
    assert phone.errors() == []


def test_the_tag_page_contact_is_a_link(phone_factory):
    phone = phone_factory(width=360)
    page = phone.goto("/t/VLG-LAP-001")
    mail = page.locator("main a[href^='mailto:']")
    mail.wait_for()
    assert "@" in mail.inner_text() and mail.get_attribute("href") == f"mailto:{mail.inner_text()}"
    assert mail.evaluate("e => e.getBoundingClientRect().height") >= 44
    page.screenshot(scale="css", path="/tmp/screens28-etiquette-contact.png", full_page=True)
    assert phone.errors() == []


def test_the_training_hint_names_the_training_and_goes_once_held(phone_factory, live_server):
    with api_client(live_server, "learner1") as client:
        day = next_open_day(client, kind="printer_3d")
    untrained = phone_factory(width=360)
    sign_in(untrained, "learner1")
    page = untrained.goto(f"/#/book?kind=printer_3d&date={day}")
    hint = page.locator(".training-hint")
    hint.wait_for()
    assert re.search(r"la formation «\s.+\s»", hint.inner_text()) and "l’équipe du fablab" in hint.inner_text()
    shot(page, "formation-nommee")
    trained = phone_factory(width=360)
    sign_in(trained, "learner3")
    page = trained.goto(f"/#/book?kind=printer_3d&date={day}")
    page.locator(".slot").first.wait_for()
    assert page.locator(".training-hint").count() == 0
    assert untrained.errors() == [] and trained.errors() == []


def test_staff_calendars_offer_the_team_feed_with_names(phone_factory, live_server):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/calendars")
    team = page.locator("section.staff-feed")
    team.get_by_role("button", name="Créer le lien de l’équipe pour Villeneuve-la-Garenne").click()
    address = team.locator("input.copy")
    address.wait_for()
    url = address.input_value()
    assert "/cal/staff/" in url
    with api_client(live_server) as client:
        feed = client.get(url[url.index("/cal/"):])
    assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text
    team.scroll_into_view_if_needed()
    # The feeds carry the workshops too (their FEED_EVENTS): the screen says so.
    expect(team).to_contain_text("et ses ateliers")
    shot(page, "calendrier-equipe")
    learner = phone_factory(width=360)
    sign_in(learner, "learner1")
    page = learner.goto("/#/calendars")
    page.get_by_role("heading", name="Agendas publics du site").wait_for()
    assert page.locator("section.staff-feed").count() == 0
    expect(page.locator("main")).to_contain_text("vos réservations et vos ateliers apparaissent")
    expect(page.locator("main")).to_contain_text("les ateliers ouverts à tous")
    shot(page, "calendrier-apprenant")
    assert phone.errors() == [] and learner.errors() == []


def test_the_site_time_zone_is_chosen_not_typed(phone_factory, live_server):
    admin = phone_factory(width=360)
    sign_in(admin, "admin")
    page = admin.goto("/#/admin/sites/pan")
    zone = page.get_by_label("Fuseau horaire")
    zone.wait_for()
    assert zone.evaluate("e => e.tagName") == "SELECT" and zone.input_value() == "Europe/Paris"
    assert zone.locator("optgroup").first.locator("option").all_inner_texts()[:2] == ["Paris", "Guadeloupe"]
    zone.select_option(label="La Réunion")
    page.get_by_role("button", name="Enregistrer le site").click()
    expect(page.get_by_role("status")).to_contain_text("est enregistré")
    with api_client(live_server) as anyone:
        assert anyone.get("/api/sites/pan").json()["timezone"] == "Indian/Reunion"
    zone.scroll_into_view_if_needed()
    shot(page, "site-fuseau-choisi")
    assert no_horizontal_scroll(page)
    assert admin.errors() == []


def test_a_loan_at_another_sites_desk_names_that_site_in_the_learners_list(phone_factory, live_server):
    """A Pierrefitte learner borrowing at Villeneuve's desk (minor i) reads where the laptop is to go
    back: "Portable 05" alone looked like one of Pierrefitte's (found walking the screens)."""
    from datetime import datetime, timedelta, timezone

    with api_client(live_server, "learner11") as learner:
        token = learner.get("/api/me/pass").json()["token"]
    with api_client(live_server, "staff.vlg") as desk:
        due = (datetime.now(timezone.utc) + timedelta(hours=3)).replace(microsecond=0).isoformat()
        lent = desk.post("/api/checkouts", json={"tag": "VLG-LAP-005", "pass": token, "due_at": due})
        assert lent.status_code == 201, lent.text
    phone = phone_factory(width=360)
    sign_in(phone, "learner11")
    page = phone.goto("/#/bookings")
    loan = page.locator("li.item", has_text="VLG-LAP-005")
    expect(loan.locator(".away-site")).to_have_text("Au fablab de Villeneuve-la-Garenne")
    # Their own site's bookings say nothing more.
    assert page.locator("li.item", has_text="PFS-").locator(".away-site").count() == 0
    assert no_horizontal_scroll(page)
    shot(page, "pret-sur-un-autre-site")
    assert phone.errors() == []


def test_a_desk_return_time_past_the_items_next_booking_says_whose_and_when(phone_factory, live_server):
    """The desk lends until after the item's next booking starts (after closing time the return
    proposed is the next open day's close): the refusal names the booking's start and puts the person
    on the return time, not "Ce créneau vient d’être réservé… Choisissez-en un autre"."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    booking = book_a_laptop(live_server, "learner3")
    ends = datetime.fromisoformat(booking["ends_at"]).astimezone(ZoneInfo("Europe/Paris"))
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto(f"/t/{booking['resource']}")
    page.get_by_label("Retour prévu le").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Chercher un·e apprenant·e").fill("learner1")
    page.locator("button.pick", has_text="Inès D.").click()
    starts = page.get_by_text(re.compile(rf"^Une réservation de {booking['resource_name']} commence le .+ : choisissez un retour plus tôt\.$"))
    starts.wait_for()
    expect(page.get_by_label("Retour prévu le")).to_be_focused()
    shot(page, "retour-apres-la-prochaine-reservation")
    assert phone.errors(allowed_statuses=(409,)) == []


def test_the_label_sheet_fits_a_phone_and_prints_at_full_size(phone_factory):
    """The sheet opened on the desk's phone was a desktop page zoomed out (980 px wide, its print
    button a few millimetres): it now fits the 360 px screen, and paper still gets the real A4 size."""
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    sheet = phone.goto("/api/labels?tags=VLG-LAP-002%2CVLG-P3D-001")
    button = sheet.get_by_role("button", name="Imprimer")
    button.wait_for()
    assert no_horizontal_scroll(sheet) and sheet.evaluate("window.innerWidth") == 360
    assert button.bounding_box()["height"] >= 44
    shot(sheet, "planche-etiquettes-telephone")
    sheet.emulate_media(media="print")
    assert round(sheet.locator(".sheet").first.bounding_box()["width"]) == 794  # 210 mm at 96 dpi
    assert phone.errors(allowed_statuses=(404,)) == []  # the bare sheet has no favicon


def test_a_staff_invite_prints_alone_and_speaks_to_its_holder(phone_factory):
    """"Imprimez cette page" printed the whole team list with its buttons, and the card said "À scanner
    avec son téléphone" without the login: on paper the card is alone and reads like a learner's slip."""
    phone = phone_factory(width=360)
    sign_in(phone, "admin")
    page = phone.goto("/#/admin/staff")
    item = page.locator("li", has_text="staff.pan")
    item.get_by_role("button", name="Nouvelle invitation").click()
    item.get_by_role("button", name=re.compile("^Confirmer")).click()
    card = page.locator(".card.invite")
    card.wait_for()
    expect(card.locator(".invite-login")).to_have_text("Identifiant : staff.pan")
    page.emulate_media(media="print")
    assert card.get_by_text("Scannez ce QR code avec votre téléphone").is_visible()
    assert not card.locator("input.copy").is_visible() and not card.get_by_text("À scanner avec son téléphone").is_visible()
    assert not page.get_by_role("button", name="Désactiver").first.is_visible()
    assert not page.get_by_text("staff.vlg").is_visible()
    shot(page, "invitation-equipe-imprimee")
    assert phone.errors() == []


def test_a_printers_return_writes_the_stock_the_french_way(phone_factory, live_server):
    """The consumables of a printer's return read "PLA noir (g, 1000 en stock)" and a short stock
    "il reste 1000 g": numbers the French way, as the stock screen writes them."""
    from datetime import datetime, timedelta, timezone

    with api_client(live_server, "staff.vlg") as desk:
        spool = desk.post("/api/consumables", json={"site": "vlg", "name": "PLA noir", "unit": "g", "quantity": 1000,
                                                    "low_threshold": 100})
        assert spool.status_code == 201, spool.text
        due = (datetime.now(timezone.utc) + timedelta(hours=3)).replace(microsecond=0).isoformat()
        lent = desk.post("/api/checkouts", json={"tag": "VLG-P3D-002", "user": "learner3", "due_at": due})
        assert lent.status_code == 201, lent.text
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/t/VLG-P3D-002")
    back = page.locator("form", has=page.locator("#h-checkin"))
    black = back.get_by_label(re.compile(r"^PLA noir \(g, 1\s000 en stock\)$"))
    black.fill("1500")
    back.get_by_role("button", name="Enregistrer le retour").click()
    back.get_by_text(re.compile(r"^Stock insuffisant : il reste 1\s000 g de PLA noir\.$")).wait_for()
    shot(page, "retour-imprimante-stock-en-francais")
    assert phone.errors(allowed_statuses=(409,)) == []
