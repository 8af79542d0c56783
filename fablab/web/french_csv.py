"""The reports' CSV files as a French spreadsheet opens them (issue 28): cells separated by `;` (the
comma is the decimal separator in France, so French Excel splits on `;`), decimal commas, dates
written 12/03/2026 14:00, French headers and words instead of the app's codes, a UTF-8 BOM (Excel
reads accents), every cell neutralised like every CSV of the app (fablab.web.spreadsheet).

Only the formatting layer: the reports build the same (columns, rows) for both languages; the
English download stays as fablab.reports.render writes it. No I/O.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from fablab.domain import codes
from fablab.domain.errors import InvalidInput
from fablab.web.spreadsheet import neutralise_cell

LANGUAGES = ("en", "fr")

HEADERS = {
    # utilisation report (kinds, resources)
    "kind": "Type de matériel", "units": "Nombre d'objets", "bookings": "Réservations",
    "booked_hours": "Heures réservées", "booked_open_hours": "Heures réservées pendant l'ouverture",
    "open_hours": "Heures d'ouverture", "utilisation": "Taux d'utilisation (%)",
    "no_shows": "Absences", "no_show_base": "Réservations passées", "no_show_rate": "Taux d'absence (%)",
    "most_used": "Les plus utilisés", "least_used": "Les moins utilisés",
    "tag": "Étiquette", "name": "Nom", "status": "État",
    # overdue loans
    "resource_name": "Objet", "user_name": "Apprenant·e", "due_at": "Retour prévu le",
    "returned_at": "Rendu le", "still_out": "Pas encore rendu", "overdue_hours": "Heures de retard",
    # heat map
    "measure": "Mesure", "weekday": "Jour",
    # consumption report
    "unit": "Unité", "used": "Utilisé", "lost": "Perdu", "restocked": "Réapprovisionné",
    "adjusted": "Ajusté (inventaire)", "stock": "Stock", "failed_quantity": "Dont impressions échouées",
    "failed_share": "Part des impressions échouées (%)", "login": "Identifiant", "learner": "Apprenant·e",
    "consumable": "Consommable", "budget": "Budget mensuel", "over_budget": "Au-delà du budget",
    # machine hours
    "month": "Mois", "hours": "Heures d'utilisation", "loans": "Prêts",
    # an inventory count
    "result": "Résultat du comptage", "reason": "Remarque", "seen_at": "Vu le",
}
HEADERS.update({f"{hour:02d}h": f"{hour} h" for hour in range(24)})

# The words of fablab.domain.vocabulary as static/i18n/fr.js says them.
WORDS = {
    "kind": {"laptop": "Ordinateur portable", "printer_3d": "Imprimante 3D", "room": "Salle"},
    "status": {"available": "Disponible", "maintenance": "En maintenance", "lost": "Perdu", "retired": "Retiré"},
    "weekday": {"mon": "Lundi", "tue": "Mardi", "wed": "Mercredi", "thu": "Jeudi", "fri": "Vendredi",
                "sat": "Samedi", "sun": "Dimanche"},
    "measure": {"starts": "Réservations commençant à cette heure", "occupancy_hours": "Heures occupées"},
    "unit": {"g": "grammes", "ml": "millilitres", "unit": "pièces"},
    "result": {"seen": "Vu", "missing": "Manquant", "unexpected": "Inattendu", "checked_out": "Prêté (non attendu)"},
    "reason": {"other_site": "Appartient à un autre site", "retired": "Objet retiré"},
}
PERCENT_COLUMNS = ("utilisation", "no_show_rate", "failed_share")
MOMENT_COLUMNS = ("due_at", "returned_at", "seen_at")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")

# What each table holds, for a file name a person understands.
TABLE_TITLES = {
    "kinds": "utilisation par type", "resources": "utilisation par objet", "overdue": "retards de retour",
    "heatmap": "réservations par jour et heure", "consumables": "consommation par consommable",
    "learners": "consommation par personne", "machine-hours": "heures machine des imprimantes 3D",
}


def check_language(lang: str) -> None:
    """`lang` of a CSV download: fr (this module) or en (the files as they were)."""
    if lang not in LANGUAGES:
        raise InvalidInput("lang must be fr or en.", code=codes.INVALID_FORMAT)


def decimal(value: float | int) -> str:
    """2.5 → "2,5"; 3.0 → "3": what a French spreadsheet reads as a number."""
    text = f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return text.replace(".", ",")


def day_text(value: date | str) -> str:
    """2026-03-12 → 12/03/2026."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d/%m/%Y")


def month_text(value: str) -> str:
    """2026-03 → "mars 2026"."""
    year, month = value.split("-")[:2]
    return f"{MONTHS[int(month) - 1]} {year}"


def cell(column: str, value: object) -> str:
    """One value in French, by what its column holds."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if column in WORDS:
        return WORDS[column].get(str(value), str(value))
    if column in PERCENT_COLUMNS and isinstance(value, (int, float)):
        return decimal(round(value * 100, 2))
    if column in MOMENT_COLUMNS:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.strftime("%d/%m/%Y %H:%M")
    if column == "month":
        return month_text(str(value))
    if isinstance(value, (int, float)):
        return decimal(value)
    return str(value)


def write(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The file: BOM, French header line, `;` between quoted cells, CRLF lines."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([HEADERS.get(column, column) for column in columns])
    for row in rows:
        writer.writerow([neutralise_cell(cell(column, value)) for column, value in zip(columns, row)])
    return buffer.getvalue()


def file_name(site_name: str, table: str, first: str, last: str | None = None) -> str:
    """ "Villeneuve-la-Garenne - utilisation par objet - du 02-03-2026 au 08-03-2026.csv"; a month
    ("2026-03") is written "mars 2026". Accents stay (fablab.web.download gives an ASCII twin)."""
    if last is None:
        period = month_text(first)
    elif len(first) == 7:
        period = month_text(first) if first == last else f"de {month_text(first)} à {month_text(last)}"
    else:
        period = f"du {day_text(first).replace('/', '-')} au {day_text(last).replace('/', '-')}"
    name = f"{site_name} - {TABLE_TITLES.get(table, table)} - {period}.csv"
    return unicodedata.normalize("NFC", name).replace("/", "-")
