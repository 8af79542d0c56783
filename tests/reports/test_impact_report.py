"""The funders' impact report (issue 29, Must show): for the fixture of tests/support/impact.py — 3 sites,
40 participants, 2 partners, 15 workshops — the figures of GET /api/reports/impact equal those counted
by hand below (from the fixture's lines, not by the report's code), and so do its French CSV and its
one-page PDF; staff see their sites only; bad input gets its code."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace
from urllib.parse import unquote

import pypdfium2
import pytest

from fablab.platform import db
from fablab.reports import routes
from tests.support.impact import NOW, PERIOD, impact_statements

# The whole programme, 1 September – 31 October 2026, seen on 30 October at noon (worked by hand
# from the fixture's tables; the reasoning sits beside each figure).
ALL_SITES = {
    "participants": {
        # Attended at least once: Villeneuve p01-05, p09, p11-14, p16 (11); Pierrefitte p17-22, p24,
        # p25, p27-29 (11); Pantin p31-36, p38-40 (9). The visitor v01 and the forgotten sign-up are not people here.
        "unique": 31,
        # ... and those who held a seat but never came: p06, p10, p15, p23, p26, p30, p37.
        "registered": 38,
        # p01 and p04 came to W1 in June.
        "new": 29, "returning": 2,
        "unidentified_attendances": 1,
        # Age on their first workshop of the period: p01 is 15 on 14 September (16 the next day), p31
        # 17 on 1 September in Paris (still 31 August in UTC), p05 born "2010" is 15 at the youngest.
        "by_age": [{"band": "under_16", "count": 5}, {"band": "16_17", "count": 7}, {"band": "18_25", "count": 13},
                   {"band": "over_25", "count": 3}, {"band": "unknown", "count": 3}],
        # p39, a learner with no participant row, is "unknown" with p14 and p29.
        "by_status": [{"status": "job_seeker", "count": 6}, {"status": "pupil", "count": 9},
                      {"status": "student", "count": 4}, {"status": "neet", "count": 5},
                      {"status": "employed", "count": 2}, {"status": "trainee", "count": 1},
                      {"status": "other", "count": 1}, {"status": "unknown", "count": 3}],
        # E2C: p17-22 and p24 came (p23 did not); Mission Locale: p01-05 (p06-08 did not).
        "by_partner": [("École de la 2e Chance 93", 7), ("Mission Locale Seine-Ouest", 5), (None, 19)],
    },
    # v01, v02 and v04 had their pass in the period (v03 in August); v01 and v02 came to a workshop.
    "visitors": {"count": 3, "attended_workshops": 2},
    # W2-W15 start in the period (W1 in June); W6 cancelled; W11 starts on 31 October, after "now";
    # W10 ended with two seats taken and nobody marked.
    "workshops": {"held": 12, "cancelled": 1, "ended": 12, "unrecorded": 1},
    # Capacities 10+10+12+8 (Villeneuve) + 12+12+10+10 (Pierrefitte) + 10+10+8+10 (Pantin) = 122;
    # seats 5+4+8+3 + 7+5+5+2 + 5+4+3+1 = 52, present 4+3+7+3 + 6+4+4+0 + 5+3+3+1 = 43;
    # W10 left out of the no-shows: 50 seats, 7 no-shows (p06, p10, p15, p23, p26, p30, p37).
    "seats": {"offered": 122, "taken": 52, "fill_rate": 0.4262, "attended": 43, "no_show_base": 50,
              "no_shows": 7, "no_show_rate": 0.14},
    # W2 6+6+5+6, W3 6+4+6, W4 7×3, W5 3×3, W7 6×3, W8 4×3, W9 4×3, W12 5×3, W13 3×3, W14 4+4+2, W15 2 = 147;
    # without v01, v02 and the forgotten sign-up (3 h each): 138 over 31 people. Per person, sorted:
    # 2, eighteen times 3, 4, 4, 5, five times 6, 8, 9, 10, 12: the 16th is 3.
    "hours": {"total": 147.0, "participants_total": 138.0, "per_participant_mean": 4.45, "per_participant_median": 3.0,
              "distribution": [{"bucket": "lt_3", "count": 1}, {"bucket": "3_10", "count": 28},
                               {"bucket": "10_20", "count": 2}, {"bucket": "20_35", "count": 0},
                               {"bucket": "35_plus", "count": 0}]},
    # Laser (12 h): p01 and p04 reach 12 h at W2 (6 h in June); p02 starts at W2 and reaches 12 h at
    # W3; p03 (5 h) and p09 (6 h) start. Drone (35 h): p31-35 start at W12, p36 at W13, 6 h at most.
    # Couture has no workshop: not listed.
    "courses": {"running": 2, "started": 9, "completed": 3,
                "list": [("Fabriquer un drone", "pan", 35.0, 6, 6, 0), ("Parcours découpe laser", "vlg", 12.0, 5, 3, 3)]},
}

VILLENEUVE = {
    "participants": {
        "unique": 11, "registered": 14, "new": 9, "returning": 2, "unidentified_attendances": 1,
        # p01, p05, p11 | p02, p12 | p03, p09 (25 on its birthday), p13, p16 | p04 | p14.
        "by_age": [{"band": "under_16", "count": 3}, {"band": "16_17", "count": 2}, {"band": "18_25", "count": 4},
                   {"band": "over_25", "count": 1}, {"band": "unknown", "count": 1}],
        "by_status": [{"status": "job_seeker", "count": 2}, {"status": "pupil", "count": 4},
                      {"status": "student", "count": 1}, {"status": "neet", "count": 2},
                      {"status": "employed", "count": 1}, {"status": "trainee", "count": 0},
                      {"status": "other", "count": 0}, {"status": "unknown", "count": 1}],
        "by_partner": [("Mission Locale Seine-Ouest", 5), (None, 6)],
    },
    "visitors": {"count": 2, "attended_workshops": 1},
    "workshops": {"held": 4, "cancelled": 1, "ended": 4, "unrecorded": 0},
    "seats": {"offered": 40, "taken": 20, "fill_rate": 0.5, "attended": 17, "no_show_base": 20,
              "no_shows": 3, "no_show_rate": 0.15},
    # 23 + 16 + 21 + 9 = 69; people: 9, 12, 5, 10, 3, 6, 6, 3, 3, 3, 3 = 63 (median 5).
    "hours": {"total": 69.0, "participants_total": 63.0, "per_participant_mean": 5.73, "per_participant_median": 5.0,
              "distribution": [{"bucket": "lt_3", "count": 0}, {"bucket": "3_10", "count": 9},
                               {"bucket": "10_20", "count": 2}, {"bucket": "20_35", "count": 0},
                               {"bucket": "35_plus", "count": 0}]},
    "courses": {"running": 1, "started": 3, "completed": 3,
                "list": [("Parcours découpe laser", "vlg", 12.0, 5, 3, 3)]},
}


@pytest.fixture
async def programme(demo, monkeypatch):
    async with db.DB.pool.acquire() as connection:
        for statement in impact_statements():
            await connection.execute(statement)
    # The report's view of the clock only: sessions keep the real time.
    monkeypatch.setattr(routes, "clock", SimpleNamespace(now=lambda: NOW))
    return demo


def comparable(report: dict) -> dict:
    """The figures, with partners and courses brought to plain tuples."""
    figures = {key: report[key] for key in ("participants", "visitors", "workshops", "seats", "hours", "courses")}
    people = dict(figures["participants"])
    people["by_partner"] = [(line["partner"]["name"] if line["partner"] else None, line["count"])
                            for line in people["by_partner"]]
    courses = dict(figures["courses"])
    courses["list"] = [(c["title"], c["site"], c["target_hours"], c["participants"], c["started"], c["completed"])
                       for c in courses["list"]]
    return {**figures, "participants": people, "courses": courses}


async def test_every_site_figures_equal_those_counted_by_hand(programme, admin):
    response = await admin.get("/api/reports/impact", params=PERIOD)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["site"] is None and [s["slug"] for s in report["sites"]] == ["pan", "pfs", "vlg"]
    assert (report["from"], report["to"]) == ("2026-09-01", "2026-10-31")
    assert comparable(report) == ALL_SITES
    # Each site's own figures come too; Villeneuve's are those of its own report.
    by_site = {part["site"]["slug"]: part for part in report["by_site"]}
    assert list(by_site) == ["pan", "pfs", "vlg"]
    assert comparable(by_site["vlg"]) == VILLENEUVE
    assert [by_site[slug]["participants"]["unique"] for slug in ("pan", "pfs", "vlg")] == [9, 11, 11]


async def test_a_site_figures_equal_those_counted_by_hand(programme, staff):
    response = await staff.get("/api/reports/impact", params={**PERIOD, "site": "vlg"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["site"]["slug"] == "vlg" and report["by_site"] == []
    assert comparable(report) == VILLENEUVE
    # Without a site, staff get every site they work for: Villeneuve alone for staff.vlg.
    mine = (await staff.get("/api/reports/impact", params=PERIOD)).json()
    assert [s["slug"] for s in mine["sites"]] == ["vlg"] and comparable(mine) == VILLENEUVE


async def test_staff_never_see_another_site(programme, staff, learner):
    other = await staff.get("/api/reports/impact", params={**PERIOD, "site": "pfs"})
    assert other.status_code == 403 and other.json()["code"] == "not_your_site"
    assert (await learner.get("/api/reports/impact", params=PERIOD)).status_code == 403


@pytest.mark.parametrize(("params", "code"), [
    ({"from": "2026-10-31", "to": "2026-09-01"}, "invalid_period"),
    ({"from": "2025-01-01", "to": "2026-06-30"}, "invalid_period"),
    ({"from": "2026-13-01"}, "invalid_date"),
    ({**PERIOD, "format": "xlsx"}, "invalid_format"),
    ({**PERIOD, "site": "nowhere"}, "unknown_site"),
])
async def test_bad_input_gets_its_code(programme, admin, params, code):
    response = await admin.get("/api/reports/impact", params=params)
    assert 400 <= response.status_code < 500 and response.json()["code"] == code, response.text


async def test_the_csv_opens_in_french_columns_with_the_same_figures(programme, staff):
    response = await staff.get("/api/reports/impact", params={**PERIOD, "site": "vlg", "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Rubrique", "Indicateur", "Valeur"] and all(len(row) == 3 for row in rows)
    cells = {(section, indicator): value for section, indicator, value in rows[1:]}
    assert cells[("Période", "Du")] == "01/09/2026" and cells[("Période", "Au")] == "31/10/2026"
    assert cells[("Participants", "Jeunes accompagnés (présents au moins une fois)")] == "11"
    assert cells[("Participants", "Nouveaux")] == "9"
    assert cells[("Âge", "Moins de 16 ans")] == "3" and cells[("Âge", "Âge non renseigné")] == "1"
    assert cells[("Situation", "Élève")] == "4"
    assert cells[("Partenaire orienteur", "Mission Locale Seine-Ouest (Mission Locale, Villeneuve-la-Garenne)")] == "5"
    assert cells[("Partenaire orienteur", "Sans partenaire orienteur")] == "6"
    assert cells[("Visiteurs", "Visiteurs du quartier accueillis")] == "2"
    assert cells[("Places", "Places proposées")] == "40" and cells[("Places", "Taux d'absence (%)")] == "15"
    assert cells[("Heures", "Heures de présence (total)")] == "69"
    assert cells[("Heures", "Heures par jeune (moyenne)")] == "5,73"
    assert cells[("Heures par jeune", "De 10 h à moins de 20 h")] == "2"
    assert cells[("Parcours", "Parcours terminés (objectif d'heures atteint)")] == "3"
    name = unquote(response.headers["content-disposition"].split("filename*=UTF-8''", 1)[1])
    assert name == "Rapport d'impact - Villeneuve-la-Garenne - du 01-09-2026 au 31-10-2026.csv"


async def test_every_site_csv_has_a_column_per_site(programme, admin):
    response = await admin.get("/api/reports/impact", params={**PERIOD, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Rubrique", "Indicateur", "Total", "Pantin", "Pierrefitte-sur-Seine", "Villeneuve-la-Garenne"]
    cells = {(row[0], row[1]): row[2:] for row in rows[1:]}
    assert cells[("Participants", "Jeunes accompagnés (présents au moins une fois)")] == ["31", "9", "11", "11"]
    assert cells[("Participants", "Déjà venus avant la période")] == ["2", "0", "0", "2"]
    assert cells[("Ateliers", "Ateliers réalisés")] == ["12", "4", "4", "4"]
    # Pantin: 1 no-show (p37) out of 13 seats; Pierrefitte: 3 out of 17 (W10, unmarked, left out).
    assert cells[("Places", "Taux d'absence (%)")] == ["14", "7,69", "17,65", "15"]
    assert cells[("Heures", "Heures de présence (total)")] == ["147", "36", "42", "69"]
    assert cells[("Partenaire orienteur", "École de la 2e Chance 93 (École de la 2e Chance, Pierrefitte-sur-Seine)")] == [
        "7", "0", "7", "0"]
    assert cells[("Visiteurs", "Visiteurs du quartier accueillis")] == ["3", "0", "1", "2"]
    assert cells[("Parcours", "Parcours terminés (objectif d'heures atteint)")] == ["3", "0", "0", "3"]


async def test_the_pdf_is_one_french_page_with_the_figures(programme, admin, tmp_path):
    response = await admin.get("/api/reports/impact", params={**PERIOD, "format": "pdf"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    assert len(pdf) == 1
    page = pdf[0]
    text = " ".join(page.get_textpage().get_text_range().split())
    for words in ("Rapport d'impact — FabLab solidaire", "Tous les sites", "Période du 01/09/2026 au 31/10/2026",
                  "31 jeunes accompagnés", "12 ateliers réalisés", "147 h heures de présence", "14 % taux d'absence",
                  "52 / 122 places occupées", "3 parcours terminés", "3 visiteurs du quartier",
                  "École de la 2e Chance 93", "Sans partenaire orienteur", "Fabriquer un drone (Pantin)",
                  "Moins de 16 ans", "16-17 ans", "18-25 ans", "Plus de 25 ans"):
        assert words in text, (words, text)
    # Rasterised, the page has ink: it is drawn, not only text objects.
    image = page.render(scale=1).to_pil()
    image.save("/tmp/impact-report-pdf.png")
    assert image.convert("L").getextrema()[0] < 100
