"""Cohort CSV files: rows in (name, login, site, cohort) and out (safe to open in a spreadsheet); no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from fablab import codes
from fablab.errors import InvalidInput
from fablab.web.spreadsheet import neutralise_cell, read_upload, restore_cell, write_csv  # noqa: F401 - tests import neutralise_cell from here

IMPORT_COLUMNS = ("name", "login", "site", "cohort")
REQUIRED_COLUMNS = ("name", "login")
EXPORT_COLUMNS = ("name", "login", "site", "cohort", "role", "active", "activated")
MAX_ROWS = 500


@dataclass(frozen=True)
class CohortRow:
    line: int
    name: str
    login: str
    site: str | None
    cohort: str


def parse_cohort(raw: bytes) -> list[CohortRow]:
    """The rows of a cohort file; each row is checked later, on its own, by the import."""
    reader = read_upload(raw, REQUIRED_COLUMNS, f"Expected a header line: {', '.join(IMPORT_COLUMNS)}.")
    rows = []
    for record in reader:
        cells = {key: restore_cell((value or "").strip()) for key, value in record.items()
                 if key in IMPORT_COLUMNS and isinstance(value, str)}
        if not any(cells.values()):
            continue  # blank line
        if len(rows) >= MAX_ROWS:
            raise InvalidInput(f"At most {MAX_ROWS} people per file.", code=codes.INVALID_CSV)
        rows.append(CohortRow(
            line=reader.line_num, name=cells.get("name", ""), login=cells.get("login", ""),
            site=cells.get("site") or None, cohort=cells.get("cohort", ""),
        ))
    return rows


def export_users(users: list[dict]) -> str:
    """users: dicts with the EXPORT_COLUMNS keys."""
    def text(value) -> str:
        return ("yes" if value else "no") if isinstance(value, bool) else str(value or "")

    return write_csv(EXPORT_COLUMNS, ([text(user.get(column)) for column in EXPORT_COLUMNS] for user in users))
