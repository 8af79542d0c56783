"""The consumption report of a site and month: by consumable, by learner, failed-print share; JSON or CSV."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from fablab.platform import db
from fablab.consumables import queries
from fablab.consumables.months import month_label, month_span
from fablab.consumables.schemas import (
    ConsumptionReportOut, PersonOut, ReportConsumableOut, ReportLearnerOut, ReportPrintsOut, ReportSiteOut,
)
from fablab.web.spreadsheet import cell_text
from fablab.web.spreadsheet import write_csv

TABLES = ("consumables", "learners")
CONSUMABLE_COLUMNS = ("name", "unit", "used", "lost", "restocked", "adjusted", "stock", "failed_quantity",
                      "failed_share")
LEARNER_COLUMNS = ("login", "learner", "consumable", "unit", "used", "budget", "over_budget")


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def person(user_id: int | None, login: str | None, name: str | None) -> PersonOut | None:
    return None if user_id is None else PersonOut(id=user_id, login=login, name=name)


async def build_report(site: dict, first: date, now: datetime) -> ConsumptionReportOut:
    start, end = month_span(first, ZoneInfo(site["timezone"]))
    consumables = [
        ReportConsumableOut(
            id=row["id"], name=row["name"], unit=row["unit"], used=row["used"], lost=row["lost"],
            restocked=row["restocked"], adjusted=row["adjusted"], stock=row["stock"],
            failed_quantity=row["failed_quantity"], failed_share=share(row["failed_quantity"], row["printed_quantity"]))
        for row in await db.fetch(queries.REPORT_CONSUMABLES, site["id"], start, end)]
    learners = [
        ReportLearnerOut(
            user=person(row["user_id"], row["user_login"], row["user_name"]), consumable=row["consumable"],
            name=row["name"], unit=row["unit"], used=row["used"], budget=row["budget"],
            over_budget=row["budget"] is not None and row["user_id"] is not None and row["used"] > row["budget"])
        for row in await db.fetch(queries.REPORT_LEARNERS, site["id"], start, end)]
    prints = await db.fetchone(queries.REPORT_PRINTS, site["id"], start, end)
    return ConsumptionReportOut(
        site=ReportSiteOut(slug=site["slug"], name=site["name"], timezone=site["timezone"]), month=month_label(first),
        consumables=consumables, learners=learners,
        prints=ReportPrintsOut(count=prints["count"], failed=prints["failed"],
                               failed_share=share(prints["failed"], prints["count"])),
        generated_at=now)


def table_rows(report: ConsumptionReportOut, table: str) -> tuple[tuple[str, ...], list[list[object]]]:
    """(columns, rows) of one of TABLES, values as they are: the English and the French CSV write them."""
    if table == "consumables":
        return CONSUMABLE_COLUMNS, [[getattr(row, column) for column in CONSUMABLE_COLUMNS] for row in report.consumables]
    return LEARNER_COLUMNS, [[row.user.login if row.user else "", row.user.name if row.user else "", row.name, row.unit,
                              row.used, row.budget, row.over_budget] for row in report.learners]


def to_csv(report: ConsumptionReportOut, table: str) -> str:
    columns, rows = table_rows(report, table)
    return write_csv(columns, ([cell_text(cell) for cell in row] for row in rows))
