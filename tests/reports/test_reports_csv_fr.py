"""Every report CSV opened as a French spreadsheet opens it (issue 28, major 4): a UTF-8 BOM, `;`
between cells, decimal commas, French headers and words, dates written 19/11/2026 10:00, a file
name a person understands. The English download stays as it was (`lang` absent or `en`)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from urllib.parse import unquote

import pytest

from fablab.web import french_csv
from tests.support.desk import desk
from tests.support.desk import lend
from tests.support.reports import WEEK, week  # noqa: F401 - the fixture of a week of bookings

UTILISATION_HEADERS = {
    "kinds": ["Type de matériel", "Nombre d'objets", "Réservations", "Heures réservées",
              "Heures réservées pendant l'ouverture", "Heures d'ouverture", "Taux d'utilisation (%)", "Absences",
              "Réservations passées", "Taux d'absence (%)", "Les plus utilisés", "Les moins utilisés"],
    "resources": ["Étiquette", "Nom", "Type de matériel", "État", "Réservations", "Heures réservées",
                  "Heures réservées pendant l'ouverture", "Heures d'ouverture", "Taux d'utilisation (%)", "Absences",
                  "Réservations passées", "Taux d'absence (%)"],
    "overdue": ["Étiquette", "Objet", "Type de matériel", "Apprenant·e", "Retour prévu le", "Rendu le",
                "Pas encore rendu", "Heures de retard"],
    "heatmap": ["Mesure", "Jour", *(f"{hour} h" for hour in range(24))],
}


def french_sheet(response) -> tuple[list[str], list[dict[str, str]]]:
    """What French Excel or LibreOffice shows: the BOM read as UTF-8, cells split on `;` only."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode()), "no BOM: Excel would read the accents as Latin-1"
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    assert len(header) > 1, "one column: the separator is not ;"
    assert all(len(row) == len(header) for row in rows[1:])
    return header, [dict(zip(header, row)) for row in rows[1:]]


def file_name(response) -> str:
    disposition = response.headers["content-disposition"]
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


def no_code_left(rows: list[dict[str, str]]) -> None:
    words = {"laptop", "printer_3d", "room", "available", "maintenance", "yes", "no", "True", "False",
             "mon", "tue", "wed", "thu", "fri", "sat", "sun", "starts", "occupancy_hours"}
    for row in rows:
        assert not words & set(row.values()), row


@pytest.mark.parametrize("table", list(UTILISATION_HEADERS))
async def test_each_utilisation_table_opens_in_french_columns(staff, week, table):  # noqa: F811
    response = await staff.get("/api/reports/utilisation", params={**WEEK, "format": "csv", "table": table, "lang": "fr"})
    header, rows = french_sheet(response)
    assert header == UTILISATION_HEADERS[table]
    no_code_left(rows)
    assert file_name(response) == f"Villeneuve-la-Garenne - {french_csv.TABLE_TITLES[table]} - du 16-11-2026 au 22-11-2026.csv"


async def test_utilisation_figures_are_written_the_french_way(staff, week):  # noqa: F811
    params = {**WEEK, "format": "csv", "lang": "fr"}
    _, kinds = french_sheet(await staff.get("/api/reports/utilisation", params={**params, "table": "kinds"}))
    laptop = next(row for row in kinds if row["Type de matériel"] == "Ordinateur portable")
    # 27 open hours booked out of 432: 6,25 %, with a decimal comma.
    assert laptop["Taux d'utilisation (%)"] == "6,25"
    room = next(row for row in kinds if row["Type de matériel"] == "Salle")
    assert room["Taux d'absence (%)"] == "50"
    _, resources = french_sheet(await staff.get("/api/reports/utilisation", params={**params, "table": "resources"}))
    assert {row["État"] for row in resources} <= {"Disponible", "En maintenance", "Perdu", "Retiré"}
    _, overdue = french_sheet(await staff.get("/api/reports/utilisation", params={**params, "table": "overdue"}))
    [loan] = overdue
    assert (loan["Objet"], loan["Type de matériel"], loan["Retour prévu le"], loan["Rendu le"], loan["Pas encore rendu"],
            loan["Heures de retard"]) == ("Portable 01", "Ordinateur portable", "18/11/2026 18:00", "19/11/2026 10:00", "non", "16")
    _, heat = french_sheet(await staff.get("/api/reports/utilisation", params={**params, "table": "heatmap"}))
    assert [row["Jour"] for row in heat[:7]] == ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]
    assert heat[0]["Mesure"] == "Réservations commençant à cette heure" and heat[0]["9 h"] == "1"


async def test_the_english_file_stays_as_it_was(staff, week):  # noqa: F811
    response = await staff.get("/api/reports/utilisation", params={**WEEK, "format": "csv", "table": "kinds"})
    first = response.text.lstrip("\ufeff").splitlines()[0]
    assert first.startswith('"kind","units",')
    bad = await staff.get("/api/reports/utilisation", params={**WEEK, "format": "csv", "lang": "de"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_format"


async def test_consumption_tables_open_in_french_columns(staff):
    made = await staff.post("/api/consumables", json={"site": "vlg", "name": "PLA noir", "unit": "g", "quantity": 2000,
                                                      "low_threshold": 0, "monthly_budget_per_learner": 500})
    assert made.status_code == 201, made.text
    used = await staff.post(f"/api/consumables/{made.json()['id']}/movements", json={"kind": "use", "quantity": 335})
    assert used.status_code == 201, used.text
    params = {"site": "vlg", "format": "csv", "lang": "fr"}
    response = await staff.get("/api/reports/consumption", params={**params, "table": "consumables"})
    header, rows = french_sheet(response)
    assert header == ["Nom", "Unité", "Utilisé", "Perdu", "Réapprovisionné", "Ajusté (inventaire)", "Stock",
                      "Dont impressions échouées", "Part des impressions échouées (%)"]
    [spool] = rows
    assert (spool["Nom"], spool["Unité"], spool["Utilisé"], spool["Stock"]) == ("PLA noir", "grammes", "335", "1665")
    assert file_name(response).startswith("Villeneuve-la-Garenne - consommation par consommable - ")
    header, _ = french_sheet(await staff.get("/api/reports/consumption", params={**params, "table": "learners"}))
    assert header == ["Identifiant", "Apprenant·e", "Consommable", "Unité", "Utilisé", "Budget mensuel", "Au-delà du budget"]


async def test_machine_hours_open_in_french_columns(staff, demo):
    actor = await desk()
    await lend(actor, "VLG-P3D-001", datetime.fromisoformat("2026-11-10T10:00:00+01:00"), 1.5)
    response = await staff.get("/api/reports/machine-hours", params={"site": "vlg", "from": "2026-11-01", "to": "2026-11-30",
                                                                     "format": "csv", "lang": "fr"})
    header, rows = french_sheet(response)
    assert header == ["Mois", "Étiquette", "Nom", "Heures d'utilisation", "Prêts"]
    printer = next(row for row in rows if row["Étiquette"] == "VLG-P3D-001")
    assert (printer["Mois"], printer["Heures d'utilisation"], printer["Prêts"]) == ("novembre 2026", "1,5", "1")
    assert file_name(response) == "Villeneuve-la-Garenne - heures machine des imprimantes 3D - novembre 2026.csv"


def test_a_formula_in_a_name_stays_text_in_the_french_file():
    text = french_csv.write(("name", "used"), [["=HYPERLINK(\"x\")", 2.5]])
    assert text.splitlines()[1] == '"\'=HYPERLINK(""x"")";"2,5"'
