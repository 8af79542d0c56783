"""Cohort CSV files: rows in (name, login, site, cohort) and out (safe to open in a spreadsheet); no I/O."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from fablab.domain import codes
from fablab.domain.errors import InvalidInput
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


# The French names a school's spreadsheet uses (issue 28), accents and case aside.
FRENCH_COLUMNS = {
    "nom": "name", "nom complet": "name", "nom et prenom": "name", "prenom et nom": "name", "apprenant": "name",
    "apprenant·e": "name", "identifiant": "login", "login": "login", "site": "site", "lieu": "site",
    "promotion": "cohort", "promo": "cohort", "cohorte": "cohort", "groupe": "cohort",
}


def _column(header: str) -> str:
    """A header cell as IMPORT_COLUMNS names it: English as is, French by FRENCH_COLUMNS."""
    plain = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().strip().lower()
    return header if header in IMPORT_COLUMNS else FRENCH_COLUMNS.get(header, FRENCH_COLUMNS.get(plain, header))


def parse_cohort(raw: bytes) -> list[CohortRow]:
    """The rows of a cohort file; each row is checked later, on its own, by the import."""
    reader = read_upload(raw, (), "")
    reader.fieldnames = [_column(name) for name in reader.fieldnames]
    missing = [column for column in REQUIRED_COLUMNS if column not in reader.fieldnames]
    if missing:
        raise InvalidInput(f"Missing column(s): {', '.join(missing)}. Expected a header line: "
                           f"{', '.join(IMPORT_COLUMNS)} (or nom, identifiant, site, promotion).", code=codes.INVALID_CSV)
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
