"""An inventory count's report as a spreadsheet (issue 28): one line per item and what the count
found (seen, missing, unexpected, lent out); French (fablab.web.french_csv) or as the API says it.
Pure: no I/O."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fablab.web import french_csv
from fablab.web.spreadsheet import write_csv

COLUMNS = ("result", "tag", "name", "kind", "status", "reason", "seen_at")
# The order a person reads the report in: what is missing first.
RESULTS = ("missing", "unexpected", "checked_out", "seen")


def rows(report: dict, timezone: str) -> list[list[object]]:
    tz = ZoneInfo(timezone)
    lines = []
    for result in RESULTS:
        for item in report.get(result, []):
            seen = item.get("seen_at")
            seen_at = datetime.fromisoformat(seen).astimezone(tz).replace(tzinfo=None) if seen else None
            lines.append([result, item["tag"], item["name"], item["kind"], item["status"], item.get("reason"), seen_at])
    return lines


def render(report: dict, *, timezone: str, lang: str) -> str:
    lines = rows(report, timezone)
    if lang == "fr":
        return french_csv.write(COLUMNS, lines)
    return write_csv(COLUMNS, [["" if value is None else (value.isoformat(timespec="minutes") if isinstance(
        value, datetime) else str(value)) for value in line] for line in lines])


def file_name(site_name: str, day: str, lang: str) -> str:
    """ "Pantin - inventaire du 07-12-2026.csv"."""
    if lang == "fr":
        return f"{site_name} - inventaire du {french_csv.day_text(day).replace('/', '-')}.csv".replace("/", "-")
    return f"inventory-{site_name}-{day}.csv".replace("/", "-")
