"""The report as flat tables: CSV (safe to open in a spreadsheet) and aligned text for the terminal."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fablab.web.spreadsheet import cell_text, write_csv

TABLES = ("kinds", "resources", "overdue", "heatmap")
FIGURES = ("bookings", "booked_hours", "booked_open_hours", "open_hours", "utilisation",
           "no_shows", "no_show_base", "no_show_rate")
KIND_COLUMNS = ("kind", "units", *FIGURES, "most_used", "least_used")
RESOURCE_COLUMNS = ("tag", "name", "kind", "status", *FIGURES)
OVERDUE_COLUMNS = ("tag", "resource_name", "kind", "user_name", "due_at", "returned_at", "still_out", "overdue_hours")
HEATMAP_COLUMNS = ("measure", "weekday", *(f"{hour:02d}h" for hour in range(24)))


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="minutes") if moment else ""


def table(report: dict, name: str) -> tuple[tuple[str, ...], list[list[object]]]:
    """(columns, rows) of one of TABLES; times in site time with their offset."""
    tz = ZoneInfo(report["site"]["timezone"])
    if name == "kinds":
        rows = [[*(row[column] for column in KIND_COLUMNS[:-2]),
                 " ".join(unit["tag"] for unit in row["most_used"]),
                 " ".join(unit["tag"] for unit in row["least_used"])] for row in report["kinds"]]
        return KIND_COLUMNS, rows
    if name == "resources":
        return RESOURCE_COLUMNS, [[row[column] for column in RESOURCE_COLUMNS] for row in report["resources"]]
    if name == "overdue":
        rows = [[loan["tag"], loan["resource_name"], loan["kind"], loan["user_name"] or "",
                 _local(loan["due_at"], tz), _local(loan["returned_at"], tz), loan["still_out"], loan["overdue_hours"]]
                for loan in report["overdue"]["loans"]]
        return OVERDUE_COLUMNS, rows
    if name == "heatmap":
        heatmap = report["heatmap"]
        rows = [[measure, day, *heatmap[measure][index]]
                for measure in ("starts", "occupancy_hours") for index, day in enumerate(heatmap["weekdays"])]
        return HEATMAP_COLUMNS, rows
    raise ValueError(name)


def to_csv(report: dict, name: str) -> str:
    columns, rows = table(report, name)
    return write_csv(columns, ([cell_text(cell) for cell in row] for row in rows))


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f} %"


def to_text(report: dict) -> str:
    """Every table, aligned, for `fablab report`."""
    lines = [f"{report['site']['name']} ({report['site']['slug']}) — {report['from']} → {report['to']}, "
             f"{report['open_hours']} h d'ouverture par unité"]
    totals = report["totals"]
    lines.append(f"Total: {totals['units']} unités, {totals['bookings']} réservations, "
                 f"utilisation {_percent(totals['utilisation']) or '—'}, "
                 f"no-show {_percent(totals['no_show_rate']) or '—'}, "
                 f"retards {report['overdue']['count']} ({report['overdue']['total_hours']} h)")
    for name in TABLES:
        columns, rows = table(report, name)
        if name == "heatmap":
            rows = [row for row in rows if row[0] == "starts"]
            columns, rows = columns[1:], [row[1:] for row in rows]
        shown = [[_percent(cell) if column in ("utilisation", "no_show_rate") else cell_text(cell)
                  for column, cell in zip(columns, row)] for row in rows]
        widths = [max([len(column), *(len(row[i]) for row in shown)]) for i, column in enumerate(columns)]
        lines += ["", f"== {name} ==" + (" (réservations par heure de début)" if name == "heatmap" else "")]
        lines.append("  ".join(column.ljust(width) for column, width in zip(columns, widths)).rstrip())
        lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in shown]
        if not rows:
            lines.append("(aucune ligne)")
    return "\n".join(lines) + "\n"
