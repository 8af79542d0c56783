"""Maintenance by use at the desk (issue 19): staff set a plan on a printer's page, see it due on
Aujourd'hui and on the page once its loans add up to 10 hours, and record it; the kind plans screen;
machine hours on the reports screen. At 360 px, in French."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.support.browser import no_horizontal_scroll, run_sql, serious_violations, sign_in

SHOTS = Path("/tmp/shots-maintenance")
PARIS = ZoneInfo("Europe/Paris")
PRINTER = "VLG-P3D-001"


def shot(phone, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.page.screenshot(scale="css", path=str(SHOTS / f"{name}.png"), full_page=True)
    phone.shot(f"maintenance-{name}")


def ten_hours_of_loans(database_url: str) -> None:
    """The plan was set two days ago; since then the printer was out 6 h, then 4 h (returned loans)."""
    run_sql(database_url, "UPDATE maintenance_plan SET created_at = now() - interval '2 days'")
    for started, hours in ((timedelta(hours=40), 6), (timedelta(hours=20), 4)):
        run_sql(database_url,
                "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, "
                "blocked_until, status, checked_out_at, returned_at) "
                "SELECT r.id, r.site_id, r.kind, u.id, u.id, now() - $2::interval, "
                "now() - $2::interval + make_interval(hours => $3), now() - $2::interval + make_interval(hours => $3), "
                "'returned', now() - $2::interval, now() - $2::interval + make_interval(hours => $3) "
                "FROM resource r, app_user u WHERE r.tag = $1 AND u.login = 'learner3'", PRINTER, started, hours)


def test_staff_set_a_plan_see_it_due_and_record_it(phone_factory, database_url):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto(f"/t/{PRINTER}")
    block = page.locator("section.maintenance")
    block.get_by_text("Aucun plan d’entretien pour cet objet.").wait_for()
    block.get_by_text("Plan d’entretien de cet objet").click()
    block.get_by_label("Tâche").last.fill("Nettoyer la buse")
    block.get_by_label("Toutes les … heures d’utilisation").fill("10")
    block.get_by_role("button", name="Enregistrer le plan").click()
    page.locator("#toast").get_by_text("Plan enregistré.").wait_for()
    block.get_by_text("0 h d’utilisation sur 10").wait_for()
    assert block.locator(".badge.mt-ok").inner_text() == "À jour"
    assert no_horizontal_scroll(page)
    shot(phone, "01-plan-pose")

    ten_hours_of_loans(database_url)
    page = phone.goto("/#/today")
    due = page.locator("section[aria-labelledby=h-maintenance-due]")
    due.get_by_role("link", name="Imprimante 3D 1").wait_for()
    assert due.locator("h2").inner_text().replace("\u00a0", " ") == "Entretien à faire (1)"
    assert due.locator(".badge").inner_text() == "À faire"
    assert "10 h d’utilisation sur 10" in due.inner_text()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    shot(phone, "02-aujourdhui-a-faire")

    due.get_by_role("link", name="Imprimante 3D 1").click()
    block = page.locator("section.maintenance")
    block.locator(".badge.mt-due").wait_for()
    assert "10 h d’utilisation sur 10" in block.inner_text()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    shot(phone, "03-page-objet-a-faire")

    block.get_by_label("Remarque").first.fill("Buse changée")
    block.get_by_role("button", name="Entretien fait").click()
    page.locator("#toast").get_by_text(re.compile("^Entretien enregistré")).wait_for()
    block = page.locator("section.maintenance")
    block.locator(".badge.mt-ok").wait_for()
    block.get_by_text("0 h d’utilisation sur 10").wait_for()
    assert "Buse changée" in block.locator(".records").inner_text()
    history = page.locator("ol.history")
    history.get_by_text("Entretien fait").wait_for()
    assert "Nettoyer la buse — Buse changée" in history.inner_text()
    shot(phone, "04-entretien-fait")
    [record] = run_sql(database_url, "SELECT task, note FROM maintenance_record")
    assert (record["task"], record["note"]) == ("Nettoyer la buse", "Buse changée")

    page = phone.goto("/#/today")
    page.locator("section[aria-labelledby=h-maintenance-due] .empty").wait_for()
    assert phone.errors() == []


def test_kind_plans_screen_and_machine_hours_on_the_reports(phone_factory, database_url):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/admin/maintenance")
    page.get_by_role("heading", name="Plans d’entretien").wait_for()
    rooms = page.locator("section[data-kind=room]")
    rooms.get_by_label("Tâche").fill("Ranger la salle")
    rooms.get_by_label("Tous les … jours").fill("7")
    rooms.get_by_role("button", name="Enregistrer le plan").click()
    page.locator("#toast").get_by_text("Plan enregistré.").wait_for()
    page.locator("section[data-kind=room]").get_by_role("button", name="Supprimer le plan").wait_for()
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    shot(phone, "05-plans-par-type")
    [plan] = run_sql(database_url, "SELECT kind, every_days, task FROM maintenance_plan")
    assert (plan["kind"], plan["every_days"], plan["task"]) == ("room", 7, "Ranger la salle")

    ten_hours_of_loans(database_url)
    today = datetime.now(PARIS).date()
    page = phone.goto(f"/#/reports?site=vlg&from={today - timedelta(days=7)}&to={today}")
    section = page.locator("section[aria-labelledby=h-rep-machine]")
    printer = section.locator("li[data-tag='VLG-P3D-001']")
    printer.wait_for()
    assert printer.locator(".item-title .item-sub").inner_text().replace("\u00a0", " ") == "10 h · 2 prêts"
    assert section.get_by_role("link", name="Télécharger les heures machine (CSV)").count() == 1
    assert no_horizontal_scroll(page)
    shot(phone, "06-rapport-heures-machine")
    section.screenshot(scale="css", path=str(SHOTS / "06-section-heures-machine.png"))
    assert phone.errors() == []
