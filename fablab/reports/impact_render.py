"""The impact report in French words, and as the rows of its spreadsheet (fablab.web.french_csv); no I/O."""

from __future__ import annotations

from collections.abc import Iterator

from fablab.web import french_csv

# The words of the report as static/i18n/fr.js (block `impact`) says them (its charts say NEET shorter).
AGE_BANDS_FR = {"under_16": "Moins de 16 ans", "16_17": "16-17 ans", "18_25": "18-25 ans",
                "over_25": "Plus de 25 ans", "unknown": "Âge non renseigné"}
STATUSES_FR = {"job_seeker": "Demandeur·se d'emploi", "pupil": "Élève", "student": "Étudiant·e",
               "neet": "Ni en emploi, ni en études, ni en formation", "employed": "En emploi",
               "trainee": "En formation ou en stage", "other": "Autre situation", "unknown": "Situation non renseignée"}
PARTNER_KINDS_FR = {"mission_locale": "Mission Locale", "e2c": "École de la 2e Chance", "school": "Établissement scolaire",
                    "association": "Association", "other": "Autre structure"}
HOUR_BUCKETS_FR = {"lt_3": "Moins de 3 h", "3_10": "De 3 h à moins de 10 h", "10_20": "De 10 h à moins de 20 h",
                   "20_35": "De 20 h à moins de 35 h", "35_plus": "35 h et plus"}
NO_PARTNER = "Sans partenaire orienteur"
TITLE = "Rapport d'impact"
# The CSV's columns, already in French: french_csv keeps a header it does not know as it is.
COLUMNS = ("Rubrique", "Indicateur", "Valeur")


def percent(value: float | None) -> float | None:
    """A rate as a percentage (0.125 → 12.5), what a spreadsheet cell shows."""
    return None if value is None else round(value * 100, 2)


def where(report: dict) -> str:
    """ "Villeneuve-la-Garenne", or the sites' names joined when the report covers several."""
    if report["site"] is not None:
        return report["site"]["name"]
    names = [site["name"] for site in report["sites"]]
    return "Tous les sites" if len(names) != 1 else names[0]


def partner_name(line: dict) -> str:
    partner = line["partner"]
    if partner is None:
        return NO_PARTNER
    return f"{partner['name']} ({PARTNER_KINDS_FR.get(partner['kind'], partner['kind'])}, {partner['site_name']})"


def lines(report: dict) -> Iterator[tuple[str, str, object]]:
    """(section, indicator, value), in the order a funder reads them."""
    people, seats, hours, courses = report["participants"], report["seats"], report["hours"], report["courses"]
    yield from (("Période", "Du", french_csv.day_text(report["from"])), ("Période", "Au", french_csv.day_text(report["to"])),
                ("Période", "Sites", ", ".join(site["name"] for site in report["sites"])))
    yield from (("Participants", "Jeunes accompagnés (présents au moins une fois)", people["unique"]),
                ("Participants", "Jeunes inscrits", people["registered"]),
                ("Participants", "Nouveaux", people["new"]), ("Participants", "Déjà venus avant la période", people["returning"]),
                ("Participants", "Présences de personnes anonymisées", people["unidentified_attendances"]))
    yield from (("Âge", AGE_BANDS_FR[row["band"]], row["count"]) for row in people["by_age"])
    yield from (("Situation", STATUSES_FR[row["status"]], row["count"]) for row in people["by_status"])
    yield from (("Partenaire orienteur", partner_name(row), row["count"]) for row in people["by_partner"])
    yield from (("Visiteurs", "Visiteurs du quartier accueillis", report["visitors"]["count"]),
                ("Visiteurs", "Visiteurs venus à un atelier", report["visitors"]["attended_workshops"]))
    yield from (("Ateliers", "Ateliers réalisés", report["workshops"]["held"]),
                ("Ateliers", "Ateliers annulés", report["workshops"]["cancelled"]),
                ("Ateliers", "Ateliers sans feuille de présence", report["workshops"]["unrecorded"]))
    yield from (("Places", "Places proposées", seats["offered"]), ("Places", "Places occupées", seats["taken"]),
                ("Places", "Taux de remplissage (%)", percent(seats["fill_rate"])),
                ("Places", "Présences", seats["attended"]), ("Places", "Absences", seats["no_shows"]),
                ("Places", "Taux d'absence (%)", percent(seats["no_show_rate"])))
    yield from (("Heures", "Heures de présence (total)", hours["total"]),
                ("Heures", "Heures par jeune (moyenne)", hours["per_participant_mean"]),
                ("Heures", "Heures par jeune (médiane)", hours["per_participant_median"]))
    yield from (("Heures par jeune", HOUR_BUCKETS_FR[row["bucket"]], row["count"]) for row in hours["distribution"])
    yield from (("Parcours", "Parcours en cours", courses["running"]), ("Parcours", "Parcours commencés", courses["started"]),
                ("Parcours", "Parcours terminés (objectif d'heures atteint)", courses["completed"]))
    for course in courses["list"]:
        name = f"{course['title']} ({course['site_name']}, {french_csv.decimal(course['target_hours'])} h)"
        yield from ((f"Parcours : {name}", "Participants", course["participants"]),
                    (f"Parcours : {name}", "Commencés", course["started"]),
                    (f"Parcours : {name}", "Terminés", course["completed"]))


def spreadsheet(report: dict) -> str:
    """One line per figure; over several sites, the total and then a column per site."""
    by_site = report.get("by_site") or []
    if not by_site:
        return french_csv.write(COLUMNS, lines(report))
    columns = ("Rubrique", "Indicateur", "Total", *(part["site"]["name"] for part in by_site))
    values = [{(section, indicator): value for section, indicator, value in lines(site_report(report, part))}
              for part in by_site]
    rows = ([section, indicator, value, *(site_value(column, (section, indicator), value) for column in values)]
            for section, indicator, value in lines(report))
    return french_csv.write(columns, rows)


def site_report(report: dict, part: dict) -> dict:
    """One site's figures shaped as a report of their own, for lines()."""
    return {**part, "from": report["from"], "to": report["to"], "sites": [part["site"]]}


def site_value(values: dict, key: tuple[str, str], total: object) -> object:
    """A site's figure on a total's line: none there (a partner, a course of another site) is 0."""
    if key in values:
        return values[key]
    return 0 if isinstance(total, (int, float)) else ""


def file_stem(report: dict) -> str:
    """ "Rapport d'impact - Villeneuve-la-Garenne - du 01-01-2026 au 31-12-2026" (the extension apart)."""
    first = french_csv.day_text(report["from"]).replace("/", "-")
    last = french_csv.day_text(report["to"]).replace("/", "-")
    return f"{TITLE} - {where(report)} - du {first} au {last}"
