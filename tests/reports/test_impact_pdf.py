"""The impact report's PDF stays one page whatever the period holds: nothing at all, or more partners
and courses than the page lists (the rest summed, the CSV keeps the detail)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pypdfium2

from fablab.reports import impact_render
from fablab.reports.impact import ImpactPeriod, ImpactRows, impact_figures
from fablab.reports.impact_pdf import impact_pdf
from fablab.domain.vocabulary import PARTICIPANT_STATUSES

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 12, tzinfo=PARIS)
PERIOD = ImpactPeriod(date(2026, 1, 1), date(2026, 11, 30), NOW)
SITE = {"slug": "vlg", "name": "Villeneuve-la-Garenne", "timezone": "Europe/Paris"}


def report_of(rows: ImpactRows) -> dict:
    return {"site": SITE, "sites": [SITE], "from": PERIOD.first, "to": PERIOD.last, "generated_at": NOW,
            **impact_figures(PERIOD, rows)}


def page_text(pdf: bytes) -> tuple[int, str]:
    document = pypdfium2.PdfDocument(pdf)
    return len(document), " ".join(document[0].get_textpage().get_text_range().split())


def crowded_rows() -> ImpactRows:
    """12 partners each referring one person, 10 courses each with one person."""
    workshops, seats, people, partners, courses, attendance = [], [], {}, {}, {}, []
    for n in range(1, 13):
        start = datetime(2026, 3, n, 9, tzinfo=PARIS)
        workshops.append({"id": n, "site_id": 1, "course_id": n if n <= 10 else None, "starts_at": start,
                          "ends_at": start + timedelta(hours=3), "capacity": 5, "status": "scheduled", "timezone": PARIS.key})
        seats.append({"id": n, "workshop_id": n, "user_id": 100 + n, "role": "participant", "arrived_at": start,
                      "left_at": start + timedelta(hours=3)})
        people[100 + n] = {"birth_date": None, "birth_year": 2005, "status": "neet", "partner_id": n}
        partners[n] = {"name": f"Association numéro {n:02d}", "kind": "association", "site": "vlg", "site_name": "V"}
        if n <= 10:
            courses[n] = {"title": f"Parcours {n:02d}", "target_hours": 35, "site": "vlg", "site_name": "V"}
            attendance.append({"user_id": 100 + n, "role": "participant", "course_id": n, "workshop_id": n,
                               "starts_at": start, "ends_at": start + timedelta(hours=3), "timezone": PARIS.key,
                               "arrived_at": start, "left_at": start + timedelta(hours=3)})
    return ImpactRows(workshops=workshops, seats=seats, people=people, partners=partners, courses=courses,
                      course_attendance=attendance)


def test_an_empty_period_is_still_one_readable_page():
    pages, text = page_text(impact_pdf(report_of(ImpactRows(workshops=[], seats=[]))))
    assert pages == 1
    assert "Villeneuve-la-Garenne" in text and "Période du 01/01/2026 au 30/11/2026" in text
    assert "Aucun jeune" in text and "taux d'absence" in text


def test_long_lists_are_cut_to_the_page_and_summed():
    report = report_of(crowded_rows())
    pages, text = page_text(impact_pdf(report))
    assert pages == 1
    assert "Autres partenaires 7 (58,3 %)" in text  # 12 partners: 5 named, 7 summed
    assert "… et 4 autres parcours" in text
    # The spreadsheet keeps every line.
    partners = [line for line in impact_render.lines(report) if line[0] == "Partenaire orienteur"]
    assert len(partners) == 12


def bottom_of(page, words: str) -> float:
    """The lowest edge of the first line holding `words` on the page, in points from the bottom."""
    text = page.get_textpage()
    found = text.search(words).get_next()
    assert found is not None, words
    index, count = found
    return min(text.get_charbox(i)[1] for i in range(index, index + count))


def test_the_fullest_page_keeps_its_courses_above_the_definitions():
    rows = crowded_rows()
    for n, user_id in enumerate(sorted(rows.people)):
        rows.people[user_id]["status"] = PARTICIPANT_STATUSES[n % len(PARTICIPANT_STATUSES)]  # 8 lines of situations
    page = pypdfium2.PdfDocument(impact_pdf(report_of(rows)))[0]
    last_course_line = bottom_of(page, "autres parcours")
    text = page.get_textpage()
    index, _ = text.search("Jeunes accompagnés :").get_next()
    footer_top = text.get_charbox(index)[3]
    assert last_course_line > footer_top
