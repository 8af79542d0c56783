"""The impact report screen (issue 29, Must show) on a 360 px phone, against the fixture of 3 sites, 40
participants, 2 partners and 15 workshops: reached from Rapports, it shows the figures the API returns
for the chosen sites and period, its charts, and links to the CSV and the one-page PDF, which is
rendered to an image to look at."""

from __future__ import annotations

import re

import pypdfium2
from playwright.sync_api import expect

from tests.support.browser import api_client, no_horizontal_scroll, run_sql, serious_violations, sign_in
from tests.support.impact import PERIOD, impact_statements


def seed(database_url: str) -> None:
    for statement in impact_statements():
        run_sql(database_url, statement)


def text_of(locator) -> str:
    return re.sub(r"[\u00a0\u202f]", " ", locator.inner_text())


def test_staff_open_the_impact_report_from_rapports(phone_factory, live_server, database_url):
    seed(database_url)
    with api_client(live_server, "staff.vlg") as staff:
        report = staff.get("/api/reports/impact", params={**PERIOD, "site": "vlg"}).json()
    assert report["participants"]["unique"] == 11  # the fixture is in: Villeneuve's 11 young people

    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/reports")
    page.get_by_role("link", name=re.compile("Rapport d’impact")).click()
    page.get_by_role("heading", name="Rapport d’impact", level=1).wait_for()
    page.get_by_label("Du", exact=True).fill(PERIOD["from"])
    page.get_by_label("Au (inclus)").fill(PERIOD["to"])
    page.get_by_role("button", name="Afficher le rapport").click()
    period = page.locator(".report-period")
    expect(period).to_contain_text("Villeneuve-la-Garenne, du 1 sept. 2026 au 31 oct. 2026")

    tile = lambda name: text_of(page.locator(f'[data-figure="{name}"]'))  # noqa: E731
    assert tile("participants").startswith("11\njeunes accompagnés") and "nouveaux : 9 · déjà venus : 2" in tile("participants")
    assert tile("workshops").startswith("4\nateliers réalisés")
    assert tile("hours").startswith("69 h") and "médiane : 5 h par jeune" in tile("hours")
    assert tile("no-shows").startswith("15 %") and "absences : 3 sur 20 places" in tile("no-shows")
    assert tile("seats").startswith("20 / 40")
    assert tile("courses").startswith("3\nparcours terminés")
    assert tile("visitors").startswith("2\nvisiteurs du quartier")
    assert tile("attended").startswith("17\nprésences")
    ages = page.locator("section", has=page.get_by_role("heading", name="Âge des jeunes"))
    expect(ages.locator("svg.bar-chart .bar-row")).to_have_count(5)
    expect(ages.locator(".bar-figure").first).to_have_text(re.compile(r"3 \(27\s?%\)"))
    partners = page.locator("section", has=page.get_by_role("heading", name="Partenaires orienteurs"))
    expect(partners.locator(".bar-label").first).to_have_text("Mission Locale Seine-Ouest")
    expect(page.locator("[data-course]")).to_have_count(1)
    pdf_link = page.locator('a[data-format="pdf"]')
    assert "format=pdf" in pdf_link.get_attribute("href") and "site=vlg" in pdf_link.get_attribute("href")
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    page.screenshot(scale="css", path="/tmp/impact-staff-vlg.png", full_page=True)
    assert phone.errors() == []


def test_admins_see_every_site_and_its_one_page_pdf(phone_factory, live_server, database_url):
    seed(database_url)
    phone = phone_factory(width=360)
    sign_in(phone, "admin")
    page = phone.goto(f"/#/reports/impact?site=all&from={PERIOD['from']}&to={PERIOD['to']}")
    period = page.locator(".report-period")
    expect(period).to_contain_text("Sites : ")
    with api_client(live_server, "admin") as admin:
        report = admin.get("/api/reports/impact", params=PERIOD).json()
        href = page.locator('a[data-format="pdf"]').get_attribute("href")
        pdf = admin.get(href)
        csv_file = admin.get(page.locator('a[data-format="csv"]').get_attribute("href"))
    unique = report["participants"]["unique"]
    assert unique == 31
    assert text_of(page.locator('[data-figure="participants"]')).startswith(f"{unique}\n")
    # Each site's own line: Pierrefitte's 11 young people, 5 workshops held (Robotique on 31 October is past by
    # now), 42 h.
    expect(page.locator('[data-site="pfs"]')).to_contain_text("jeunes : 11 · ateliers : 5 · présence : 42 h")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert csv_file.status_code == 200 and csv_file.content.decode("utf-8-sig").startswith(
        '"Rubrique";"Indicateur";"Total";"Pantin";"Pierrefitte-sur-Seine";"Villeneuve-la-Garenne"')
    document = pypdfium2.PdfDocument(pdf.content)
    assert len(document) == 1
    text = " ".join(document[0].get_textpage().get_text_range().split())
    assert "Rapport d'impact — FabLab solidaire" in text and "Tous les sites" in text
    document[0].render(scale=2).to_pil().save("/tmp/impact-pdf.png")
    assert no_horizontal_scroll(page)
    page.screenshot(scale="css", path="/tmp/impact-admin-all.png", full_page=True)
    assert phone.errors() == []
