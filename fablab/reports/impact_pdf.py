"""The impact report as the one A4 page a coordinator sends to a funder (reportlab, French); no I/O."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from fablab.reports import impact_render as words
from fablab.web import french_csv

WIDTH, HEIGHT = A4
MARGIN = 15 * mm
COLUMN = (WIDTH - 2 * MARGIN - 8 * mm) / 2
INK, SOFT, BAR, TRACK = HexColor("#1d2733"), HexColor("#5b6673"), HexColor("#2f6db5"), HexColor("#e3e9f0")
BOLD, TEXT = "Helvetica-Bold", "Helvetica"
# What fits the page: the longest lists are cut, the rest summed on one line.
MAX_PARTNERS, MAX_COURSES = 6, 6
# The definitions at the foot of the page start below this line; course rows stop above it.
FOOTER_TOP = MARGIN + 15 * mm
COURSE_ROW = 4.8 * mm


def number(value: float | int | None, unit: str = "") -> str:
    """12345.5 → "12 345,5" (French), None → "–"."""
    if value is None:
        return "–"
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return text.replace(",", " ").replace(".", ",") + (f" {unit}" if unit else "")


def percent(value: float | None) -> str:
    return "–" if value is None else f"{number(round(value * 100, 1))} %"


def impact_pdf(report: dict) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{words.file_stem(report)}")
    canvas.setAuthor("fablab")
    y = header(canvas, report)
    y = key_figures(canvas, report, y - 6 * mm)
    whole = report["participants"]["unique"]
    y = two_charts(canvas, y - 8 * mm, whole, ("Âge des jeunes", age_rows(report)), ("Situation", status_rows(report)))
    y = two_charts(canvas, y - 6 * mm, whole, ("Partenaires orienteurs", partner_rows(report)),
                   ("Heures de présence par jeune", hour_rows(report)))
    y = courses(canvas, report, y - 6 * mm)
    footer(canvas, report)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def header(canvas: Canvas, report: dict) -> float:
    y = HEIGHT - MARGIN - 6 * mm
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 18)
    canvas.drawString(MARGIN, y, "Rapport d'impact — FabLab solidaire")
    canvas.setFont(TEXT, 11)
    canvas.setFillColor(SOFT)
    y -= 7 * mm
    canvas.drawString(MARGIN, y, words.where(report))
    y -= 5.5 * mm
    canvas.drawString(MARGIN, y, f"Période du {french_csv.day_text(report['from'])} au {french_csv.day_text(report['to'])}")
    if report["site"] is None and len(report["sites"]) > 1:
        y -= 5.5 * mm
        canvas.setFont(TEXT, 9)
        canvas.drawString(MARGIN, y, "Sites : " + ", ".join(site["name"] for site in report["sites"]))
    return y


def key_figures(canvas: Canvas, report: dict, top: float) -> float:
    people, seats = report["participants"], report["seats"]
    tiles = [
        (number(people["unique"]), "jeunes accompagnés", f"nouveaux : {number(people['new'])} · déjà venus : {number(people['returning'])}"),
        (number(report["workshops"]["held"]), "ateliers réalisés", f"annulés : {number(report['workshops']['cancelled'])}"),
        (number(report["hours"]["total"], "h"), "heures de présence", f"médiane {number(report['hours']['per_participant_median'], 'h')} par jeune"),
        (percent(seats["no_show_rate"]), "taux d'absence", f"absences : {number(seats['no_shows'])} sur {number(seats['no_show_base'])} places"),
        (f"{number(seats['taken'])} / {number(seats['offered'])}", "places occupées", f"remplissage {percent(seats['fill_rate'])}"),
        (number(seats["attended"]), "présences", "inscrits venus à un atelier"),
        (number(report["courses"]["completed"]), "parcours terminés", f"commencés : {number(report['courses']['started'])}"),
        (number(report["visitors"]["count"]), "visiteurs du quartier", f"venus à un atelier : {number(report['visitors']['attended_workshops'])}"),
    ]
    width, height, gap = (WIDTH - 2 * MARGIN - 3 * 4 * mm) / 4, 21 * mm, 4 * mm
    for index, (value, label, detail) in enumerate(tiles):
        row, column = divmod(index, 4)
        x, y = MARGIN + column * (width + gap), top - (row + 1) * height - row * gap
        canvas.setFillColor(TRACK)
        canvas.roundRect(x, y, width, height, 2 * mm, stroke=0, fill=1)
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 16)
        canvas.drawString(x + 3 * mm, y + height - 8 * mm, value)
        canvas.setFont(TEXT, 9)
        canvas.drawString(x + 3 * mm, y + height - 13 * mm, label)
        canvas.setFillColor(SOFT)
        canvas.setFont(TEXT, 7)
        canvas.drawString(x + 3 * mm, y + 3 * mm, detail)
    return top - 2 * height - gap


def age_rows(report: dict) -> list[tuple[str, int]]:
    return [(words.AGE_BANDS_FR[row["band"]], row["count"]) for row in report["participants"]["by_age"]]


def status_rows(report: dict) -> list[tuple[str, int]]:
    shown = [row for row in report["participants"]["by_status"] if row["count"]]
    return [(words.STATUSES_FR[row["status"]], row["count"]) for row in shown] or [("Aucun jeune", 0)]


def partner_rows(report: dict) -> list[tuple[str, int]]:
    lines = report["participants"]["by_partner"]
    rows = [(line["partner"]["name"] if line["partner"] else words.NO_PARTNER, line["count"]) for line in lines]
    if len(rows) > MAX_PARTNERS:
        rows = rows[:MAX_PARTNERS - 1] + [("Autres partenaires", sum(count for _, count in rows[MAX_PARTNERS - 1:]))]
    return rows or [("Aucun jeune", 0)]


def hour_rows(report: dict) -> list[tuple[str, int]]:
    return [(words.HOUR_BUCKETS_FR[row["bucket"]], row["count"]) for row in report["hours"]["distribution"]]


def two_charts(canvas: Canvas, top: float, whole: int, left: tuple[str, list], right: tuple[str, list]) -> float:
    bottom_left = bars(canvas, MARGIN, top, whole, *left)
    bottom_right = bars(canvas, MARGIN + COLUMN + 8 * mm, top, whole, *right)
    return min(bottom_left, bottom_right)


def bars(canvas: Canvas, x: float, top: float, whole: int, title: str, rows: list[tuple[str, int]]) -> float:
    """A titled list of horizontal bars, each label above its bar and its count (and share of
    `whole`) at the right."""
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 11)
    canvas.drawString(x, top, title)
    most = max([count for _, count in rows] + [1])
    y = top - 5 * mm
    for label, count in rows:
        canvas.setFillColor(INK)
        canvas.setFont(TEXT, 8.5)
        canvas.drawString(x, y, simpleSplit(label, TEXT, 8.5, COLUMN - 12 * mm)[0])
        canvas.setFont(BOLD, 8.5)
        canvas.drawRightString(x + COLUMN, y, f"{number(count)} ({percent(count / whole)})" if whole else number(count))
        canvas.setFillColor(TRACK)
        canvas.rect(x, y - 3.6 * mm, COLUMN, 2.2 * mm, stroke=0, fill=1)
        if count:
            canvas.setFillColor(BAR)
            canvas.rect(x, y - 3.6 * mm, COLUMN * count / most, 2.2 * mm, stroke=0, fill=1)
        y -= 7.5 * mm
    return y


def courses(canvas: Canvas, report: dict, top: float) -> float:
    figures = report["courses"]
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 11)
    canvas.drawString(MARGIN, top, "Parcours (objectif d'heures)")
    canvas.setFont(TEXT, 9)
    canvas.setFillColor(SOFT)
    y = top - 5 * mm
    canvas.drawString(MARGIN, y, f"Parcours suivis : {number(figures['running'])} · commencés : {number(figures['started'])} · "
                                 f"terminés (objectif d'heures atteint) : {number(figures['completed'])}.")
    columns = ((MARGIN, "Parcours"), (MARGIN + 95 * mm, "Objectif"), (MARGIN + 118 * mm, "Jeunes"),
               (MARGIN + 138 * mm, "Commencés"), (MARGIN + 160 * mm, "Terminés"))
    # As many rows as fit above the footer, one line kept for "… and N more".
    room = int((y - 6 * mm - FOOTER_TOP) / COURSE_ROW) - 1
    shown = figures["list"][:max(0, min(MAX_COURSES, room))]
    if shown:
        y -= 6 * mm
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 8.5)
        for x, title in columns:
            canvas.drawString(x, y, title)
    canvas.setFont(TEXT, 8.5)
    for course in shown:
        y -= COURSE_ROW
        cells = (simpleSplit(f"{course['title']} ({course['site_name']})", TEXT, 8.5, 92 * mm)[0],
                 number(course["target_hours"], "h"), number(course["participants"]), number(course["started"]),
                 number(course["completed"]))
        for (x, _), text in zip(columns, cells):
            canvas.drawString(x, y, text)
    if len(figures["list"]) > len(shown):
        y -= COURSE_ROW
        canvas.drawString(MARGIN, y, f"… et {len(figures['list']) - len(shown)} autres parcours (détail dans le fichier CSV).")
    return y


def footer(canvas: Canvas, report: dict) -> None:
    generated: datetime = report["generated_at"]
    timezone = (report["site"] or (report["sites"][0] if report["sites"] else {"timezone": "Europe/Paris"}))["timezone"]
    local = generated.astimezone(ZoneInfo(timezone))
    notes = ("Jeunes accompagnés : participants présents au moins une fois à un atelier réalisé (non annulé, commencé "
             "dans la période) ; les visiteurs du quartier sont comptés à part. Âge au premier atelier de la période. "
             "Absences : places réservées non honorées, dans les ateliers terminés dont la présence a été relevée. "
             "Parcours terminé : objectif d'heures de présence atteint pendant la période.")
    canvas.setFillColor(SOFT)
    canvas.setFont(TEXT, 7)
    y = MARGIN + 10 * mm
    for line in simpleSplit(notes, TEXT, 7, WIDTH - 2 * MARGIN):
        canvas.drawString(MARGIN, y, line)
        y -= 3.2 * mm
    canvas.drawString(MARGIN, MARGIN - 2 * mm,
                      f"Établi le {local.strftime('%d/%m/%Y')} à {local.strftime('%H:%M')} par fablab.")
