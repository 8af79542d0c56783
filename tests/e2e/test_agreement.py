"""The desk lends several items to a scanned pass in one confirmation, under the site's loan agreement:
shown with the items, parts and return times, refused (nothing lent), then signed with a drawn stroke;
the learner finds the receipt in "Mes réservations"."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.browser import (
    api_client, draw_signature, no_horizontal_scroll, run_sql, serious_violations, sign_in,
)

PARIS = ZoneInfo("Europe/Paris")
AGREEMENT = "Je rends le matériel à l’heure, complet et en bon état.\nEn cas de perte, je préviens le fablab."


def out_to(database_url: str, login: str) -> list[str]:
    rows = run_sql(database_url, "SELECT r.tag FROM booking b JOIN resource r ON r.id = b.resource_id JOIN app_user u "
                                 "ON u.id = b.user_id WHERE b.status = 'checked_out' AND u.login = $1 ORDER BY r.tag", login)
    return [row["tag"] for row in rows]


def test_several_items_lent_under_a_signed_agreement(phone_factory, live_server, database_url):
    with api_client(live_server, "admin") as admin:
        assert admin.put("/api/sites/vlg/agreement", json={"text": AGREEMENT}).status_code == 200
    with api_client(live_server, "learner1") as learner:
        pass_url = learner.get("/api/me/pass").json()["url"]
    with api_client(live_server, "staff.vlg") as staff:
        assert staff.post("/api/resources/VLG-LAP-002/parts", json={"name": "Chargeur"}).status_code == 201
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/pass/" + pass_url.split("/#/pass/", 1)[1])
    page.get_by_role("link", name="Prêter plusieurs objets à ce pass").click()
    page.get_by_role("heading", name="Prêter plusieurs objets").wait_for()
    for tag in ("VLG-LAP-002", "vlg-lap-003"):
        page.get_by_label("Code de l’objet").fill(tag)
        page.get_by_label("Code de l’objet").press("Enter")
        page.locator(".handover-items li.item", has_text=tag.upper()).wait_for()
    page.get_by_text("Objets libres du site").click()
    page.locator(".free-items button.pick", has_text="VLG-LAP-005").click()
    page.locator(".handover-items li.item", has_text="VLG-LAP-005").wait_for()
    due = (datetime.now(PARIS) + timedelta(hours=2)).replace(second=0, microsecond=0)
    page.get_by_label("À rendre au plus tard").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Vérifier le prêt").click()

    confirm = page.locator(".confirm-lend")
    confirm.get_by_text("Prêter 3 objets à Inès D. ?").wait_for()
    assert "Charte de prêt (version 1)" in confirm.inner_text()
    assert "En cas de perte, je préviens le fablab." in confirm.locator(".agreement-text").inner_text()
    assert "Accessoires : Chargeur" in confirm.inner_text() and due.strftime("%H:%M") in confirm.inner_text()
    assert out_to(database_url, "learner1") == []  # asking lends nothing
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.screenshot(scale="css", path="/tmp/desk-agreement-shown.png", full_page=True)

    # No signature, no loan.
    confirm.get_by_role("button", name="Refus de signer : ne pas prêter").click()
    page.get_by_text("Pas de signature, pas de prêt : rien n’a été prêté.").wait_for()
    assert out_to(database_url, "learner1") == []

    page.get_by_role("button", name="Vérifier le prêt").click()
    confirm.get_by_text("Prêter 3 objets à Inès D. ?").wait_for()
    draw_signature(page)
    page.screenshot(scale="css", path="/tmp/desk-agreement-signed.png", full_page=True)
    confirm.get_by_role("button", name="Signer et prêter").click()
    page.get_by_text("3 objets prêtés à Inès D.").wait_for()
    assert out_to(database_url, "learner1") == ["VLG-LAP-002", "VLG-LAP-003", "VLG-LAP-005"]
    [handover] = run_sql(database_url, "SELECT id, agreement_version, length(signature_png) AS png, signed_hash "
                                       "FROM handover")
    assert handover["agreement_version"] == 1 and handover["png"] > 500 and len(handover["signed_hash"]) == 64
    receipt = page.get_by_role("link", name="Reçu du prêt (PDF)")
    assert receipt.get_attribute("href") == f"/api/handovers/{handover['id']}/receipt.pdf"
    page.screenshot(scale="css", path="/tmp/desk-agreement-lent.png", full_page=True)
    assert phone.errors() == []

    learner_phone = phone_factory(width=360)
    sign_in(learner_phone, "learner1")
    mine = learner_phone.goto("/#/bookings")
    links = mine.get_by_role("link", name="Reçu du prêt (PDF)")
    links.first.wait_for()
    assert links.count() == 3
    with api_client(live_server, "learner1") as learner:
        pdf = learner.get(links.first.get_attribute("href"))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    mine.screenshot(scale="css", path="/tmp/desk-agreement-mes-reservations.png", full_page=True)
    assert learner_phone.errors() == []


def test_a_single_loan_goes_to_the_agreement_and_staff_find_the_receipts(phone_factory, live_server, database_url):
    with api_client(live_server, "admin") as admin:
        assert admin.put("/api/sites/vlg/agreement", json={"text": AGREEMENT, "every_loan": True}).status_code == 200
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/t/VLG-LAP-008")
    due = (datetime.now(PARIS) + timedelta(hours=2)).replace(second=0, microsecond=0)
    page.get_by_label("Retour prévu le").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Chercher un·e apprenant·e").fill("learner1")
    page.locator("button.pick", has_text="Inès D.").click()
    page.get_by_text("La charte de prêt doit d’abord être signée par l’apprenant·e.").wait_for()
    page.get_by_role("link", name="Montrer la charte et faire signer").click()
    page.get_by_role("heading", name="Prêter plusieurs objets").wait_for()
    page.locator(".handover-items li.item", has_text="VLG-LAP-008").wait_for()
    page.get_by_label("À rendre au plus tard").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Vérifier le prêt").click()
    page.locator(".confirm-lend").get_by_text("Prêter Portable 08 à Inès D. ?").wait_for()
    draw_signature(page)
    page.get_by_role("button", name="Signer et prêter").click()
    page.get_by_text("1 objet prêté à Inès D.").wait_for()
    assert out_to(database_url, "learner1") == ["VLG-LAP-008"]

    page = phone.goto("/#/learners")
    page.get_by_label("Chercher", exact=True).fill("learner1")
    page.get_by_text("2 apprenant·es").wait_for()  # the list as filtered, before a line is opened
    learner = page.locator("details.item.learner", has_text="Inès D.").first
    learner.locator("summary").click()
    learner.get_by_text("Prêts au comptoir et reçus").wait_for()
    assert learner.get_by_role("link", name="Reçu du prêt (PDF)").count() == 1
    assert no_horizontal_scroll(page)
    learner.screenshot(scale="css", path="/tmp/desk-learner-receipts.png")
    assert phone.errors(allowed_statuses=(422,)) == []
