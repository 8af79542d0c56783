"""The reports screen against seeded bookings of last week: every figure it shows is the one the
API returns for the same site and period (utilisation and no-shows per kind, overdue loans, the
heat map, most and least used units), the CSV downloads work, and it reads at 360 px."""

from __future__ import annotations

import math
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.support.browser import SCREENSHOTS, api_client, no_horizontal_scroll, run_sql, serious_violations, sign_in

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.now(PARIS).date()
# Monday of last week: the "Semaine dernière" preset of the screen.
MONDAY = TODAY - timedelta(days=TODAY.weekday() + 7)

ADD = """
INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, status,
                     checked_out_at, returned_at, no_show_at, cancelled_at)
SELECT r.id, r.site_id, r.kind, u.id, u.id, $3::timestamptz, $4::timestamptz, $4::timestamptz, $5::text,
       CASE WHEN $5::text IN ('checked_out', 'returned') THEN $3::timestamptz END,
       CASE WHEN $5::text = 'returned' THEN $6::timestamptz END,
       CASE WHEN $5::text = 'no_show' THEN $3::timestamptz END,
       CASE WHEN $5::text = 'cancelled' THEN $3::timestamptz - interval '1 day' END
FROM resource r, app_user u WHERE r.tag = $1 AND u.login = $2
"""


def paris(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=day_offset), time(hour, minute), PARIS)


def seed_last_week(database_url: str) -> None:
    """Rooms, a laptop lent for two days, a loan still out, a print returned late, a no-show."""
    rows = [
        ("VLG-ROOM-001", "learner1", paris(0, 10), paris(0, 12), "returned", paris(0, 12)),
        ("VLG-ROOM-001", "learner2", paris(1, 14), paris(1, 16), "returned", paris(1, 16)),
        ("VLG-ROOM-001", "learner3", paris(3, 9), paris(3, 13), "returned", paris(3, 13)),
        ("VLG-ROOM-002", "learner3", paris(2, 10), paris(2, 11), "no_show", None),
        ("VLG-LAP-001", "learner4", paris(0, 9), paris(1, 18), "returned", paris(1, 17)),
        ("VLG-LAP-002", "learner5", paris(2, 9), paris(2, 18), "checked_out", None),
        ("VLG-P3D-001", "learner3", paris(3, 10), paris(3, 13), "returned", paris(3, 15)),
        ("VLG-LAP-003", "learner6", paris(3, 9), paris(3, 18), "cancelled", None),
    ]
    for tag, login, start, end, status, returned in rows:
        run_sql(database_url, ADD, tag, login, start, end, status, returned)


def shown_percent(ratio: float | None) -> str:
    """The screen's percent (Intl rounds half away from zero), as a regex."""
    if ratio is None:
        return "–"
    return rf"{math.floor(ratio * 100 + 0.5)}\s?%"


def text_of(locator) -> str:
    return re.sub(r"[\u00a0\u202f]", " ", locator.inner_text())


def test_reports_show_the_figures_the_api_returns(phone_factory, live_server, database_url):
    seed_last_week(database_url)
    first, last = MONDAY.isoformat(), (MONDAY + timedelta(days=6)).isoformat()
    with api_client(live_server, "staff.vlg") as staff:
        report = staff.get("/api/reports/utilisation", params={"site": "vlg", "from": first, "to": last}).json()
    # The seed is what we think: six bookings held (the no-show and the cancelled one are not), two late.
    assert report["totals"]["bookings"] == 6 and report["overdue"]["count"] == 2

    phone = phone_factory(width=360)
    sign_in(phone, "staff.vlg")
    page = phone.goto("/#/reports")
    page.get_by_role("heading", name="Rapports").wait_for()
    page.locator(".report-period").wait_for()
    page.get_by_role("button", name="Semaine dernière").click()
    expect(page.get_by_role("button", name="Semaine dernière")).to_have_attribute("aria-pressed", "true")
    period = page.locator(".report-period")
    assert re.search(rf"\b{MONDAY.day} \w+\.? {MONDAY.year}", text_of(period)), text_of(period)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text_of(page.locator("main")))  # no ISO date anywhere

    # Key figures.
    figures = text_of(page.locator(".key-figures"))
    assert re.search(shown_percent(report["totals"]["utilisation"]) + r"\s*Utilisation", figures), figures
    assert re.search(rf"\b{report['totals']['bookings']}\s*Réservations", figures), figures
    assert re.search(shown_percent(report["totals"]["no_show_rate"]) + r"\s*Absences", figures), figures

    # Utilisation and no-shows per kind: the bar charts and the lines under them.
    names = {"laptop": "Ordinateur portable", "printer_3d": "Imprimante 3D", "room": "Salle"}
    use_chart = page.get_by_role("img", name="Utilisation par type de matériel")
    no_show_chart = page.locator("section", has=page.get_by_role("heading", name="Absences")).locator("svg")
    for kind in report["kinds"]:
        name = names[kind["kind"]]
        assert re.search(rf"{name}\s*{shown_percent(kind['utilisation'])}", text_of_svg(use_chart)), kind
        assert re.search(rf"{name}\s*{shown_percent(kind['no_show_rate'])}", text_of_svg(no_show_chart)), kind
        line = text_of(page.locator(f"section[aria-labelledby='h-rep-use'] li[data-kind='{kind['kind']}']"))
        booked = f"{kind['booked_open_hours']:g}".replace(".", ",")
        assert f"{booked} h réservées sur {kind['open_hours']:g} h" in line, line
        no_show_line = text_of(page.locator(f"section[aria-labelledby='h-rep-ns'] li[data-kind='{kind['kind']}']"))
        assert f"{kind['no_shows']} sur {kind['no_show_base']}" in no_show_line, no_show_line
    # A bar as long as its figure: the room's fill is its share of the track.
    room = next(k for k in report["kinds"] if k["kind"] == "room")
    fill = use_chart.locator(".bar-row").nth([k["kind"] for k in report["kinds"]].index("room")).locator(".bar-fill")
    assert abs(float(fill.get_attribute("width")) - room["utilisation"] * 300) < 0.2

    # Overdue loans: the count, and each one by its item's name and learner.
    late = page.locator("section[aria-labelledby='h-rep-late']")
    assert f"({report['overdue']['count']})" in text_of(late.get_by_role("heading"))
    for loan in report["overdue"]["loans"]:
        item = late.locator("li", has_text=loan["resource_name"])
        assert loan["user_name"] in text_of(item)
        assert ("toujours pas rendu" if loan["still_out"] else "rendu avec") in text_of(item)

    # The heat map: one cell per open weekday and hour, holding the API's hours.
    cells = page.locator("svg.heat-map rect.heat-cell")
    shown = [float(cells.nth(i).get_attribute("data-value")) for i in range(cells.count())]
    total = sum(sum(row) for row in report["heatmap"]["occupancy_hours"])
    assert math.isclose(sum(shown), total, abs_tol=0.05) and total > 0
    busiest = max(shown)
    assert page.locator(f"svg.heat-map rect.heat-4[data-value='{busiest:g}']").count() >= 1

    # Most and least used units per kind, in the API's order.
    for kind in report["kinds"]:
        rank = page.locator(f".rank[data-kind='{kind['kind']}']")
        most = [text_of(rank.locator("ol.most li").nth(i)) for i in range(rank.locator("ol.most li").count())]
        assert [m.split(" · ")[0] for m in most] == [unit["name"] for unit in kind["most_used"]]
        least = [text_of(rank.locator("ol.least li").nth(i)) for i in range(rank.locator("ol.least li").count())]
        assert [m.split(" · ")[0] for m in least] == [unit["name"] for unit in kind["least_used"]]

    # The CSV downloads answer with the report of that period.
    links = page.locator("section[aria-labelledby='h-rep-csv'] a")
    assert links.count() == 4
    href = page.get_by_role("link", name="Par objet").get_attribute("href")
    assert f"from={first}" in href and f"to={last}" in href and "table=resources" in href
    csv = page.request.get(live_server + href)
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "VLG-ROOM-001" in csv.text()

    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot("reports-01-semaine-derniere")
    page.locator("section[aria-labelledby='h-rep-heat']").screenshot(scale="css", path=str(SCREENSHOTS / "reports-02-carte-horaire.png"))
    assert phone.errors() == []


def text_of_svg(locator) -> str:
    # SVG text has no layout for innerText: read each <text> in order.
    return " ".join(re.sub(r"[\u00a0\u202f]", " ", t) for t in locator.locator("text").all_text_contents())


def test_staff_see_only_their_site_and_an_empty_period_says_so(phone_factory, live_server):
    phone = phone_factory(width=360)
    sign_in(phone, "staff.pfs")
    future = TODAY + timedelta(days=60)
    page = phone.goto(f"/#/reports?site=vlg&from={future.isoformat()}&to={(future + timedelta(days=6)).isoformat()}")
    page.locator(".report-period").wait_for()
    # The site list holds only Pierrefitte, and the report is Pierrefitte's.
    site = page.get_by_label("Site")
    assert [o.strip() for o in site.locator("option").all_inner_texts()] == ["Pierrefitte-sur-Seine"]
    assert "Pierrefitte-sur-Seine" in text_of(page.locator(".report-period"))
    assert "Aucun retard sur la période." in text_of(page.locator("main"))
    assert no_horizontal_scroll(page)
    phone.shot("reports-03-periode-vide")
    assert phone.errors() == []


def test_a_learner_cannot_open_reports(phone_factory, live_server):
    phone = phone_factory(width=360)
    sign_in(phone, "learner1")
    page = phone.goto("/#/reports")
    page.get_by_role("heading", name="Accès réservé").wait_for()
    assert phone.errors() == []
