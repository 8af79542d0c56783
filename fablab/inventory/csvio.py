"""Inventory CSV: rows in (validated, with line numbers) and out (safe to open in a spreadsheet); no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from fablab.domain import codes
from fablab.domain.errors import InvalidInput
from fablab.movements.tags import TAG_PATTERN
from fablab.domain.vocabulary import KINDS, RESOURCE_STATUSES
from fablab.web.spreadsheet import neutralise_cell, read_upload, restore_cell, write_csv  # noqa: F401 - tests import neutralise_cell from here

# Kind-specific details flattened to columns, so the file is editable in a spreadsheet.
DETAIL_COLUMNS = ("model", "serial", "build_volume", "materials", "capacity")
COLUMNS = ("tag", "name", "kind", "site", "status", "notes", *DETAIL_COLUMNS)
REQUIRED_COLUMNS = ("name", "kind", "site")
MAX_ROWS = 5000
MAX_TEXT = 500


def details_to_cells(details: dict) -> dict[str, str]:
    cells = {}
    for key in DETAIL_COLUMNS:
        value = details.get(key)
        if value is None:
            cells[key] = ""
        elif isinstance(value, list):
            cells[key] = "|".join(str(item) for item in value)
        else:
            cells[key] = str(value)
    return cells


def export_csv(resources: list[dict]) -> str:
    """resources: dicts with tag, name, kind, site (slug), status, notes, details."""
    rows = []
    for item in resources:
        cells = {key: str(item.get(key) or "") for key in COLUMNS[:6]}
        cells.update(details_to_cells(item.get("details") or {}))
        rows.append([cells[column] for column in COLUMNS])
    return write_csv(COLUMNS, rows)


@dataclass
class ImportRow:
    line: int
    tag: str | None
    name: str
    kind: str
    site: str
    status: str | None
    notes: str | None
    details: dict = field(default_factory=dict)


def _parse_details(cells: dict[str, str], line: int, errors: list[dict]) -> dict:
    details: dict = {}
    for key in DETAIL_COLUMNS:
        value = cells.get(key, "")
        if not value:
            continue
        if key == "capacity":
            if not (value.isascii() and value.isdigit()) or not 0 < int(value) < 10000:
                errors.append({"line": line, "field": key, "message": "capacity must be a whole number"})
                continue
            details[key] = int(value)
        elif key == "materials":
            details[key] = [item.strip() for item in value.split("|") if item.strip()]
        else:
            details[key] = value
    return details


def parse_import(raw: bytes) -> list[ImportRow]:
    """Every row, or InvalidInput listing every faulty line (nothing is half-imported)."""
    reader = read_upload(raw, REQUIRED_COLUMNS, f"Expected: {', '.join(COLUMNS)}.")
    rows, errors, seen_tags = [], [], {}
    for number, record in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise InvalidInput(f"At most {MAX_ROWS} rows per file.", code=codes.INVALID_CSV)
        cells = {key: restore_cell((value or "").strip()) for key, value in record.items()
                 if key and isinstance(value, str)}
        if not any(cells.values()):
            continue  # blank line
        problems_before = len(errors)
        tag = cells.get("tag", "").upper() or None
        if tag and not TAG_PATTERN.match(tag):
            errors.append({"line": number, "field": "tag", "message": f"invalid tag {tag!r}"})
        elif tag and tag in seen_tags:
            errors.append({"line": number, "field": "tag", "message": f"tag also on line {seen_tags[tag]}"})
        elif tag:
            seen_tags[tag] = number
        name = cells.get("name", "")
        if not name or len(name) > 200:
            errors.append({"line": number, "field": "name", "message": "name is required (200 characters at most)"})
        kind = cells.get("kind", "").lower()
        if kind not in KINDS:
            errors.append({"line": number, "field": "kind", "message": f"kind must be one of {', '.join(KINDS)}"})
        site = cells.get("site", "").lower()
        if not site:
            errors.append({"line": number, "field": "site", "message": "site is required"})
        status = cells.get("status", "").lower() or None
        if status is not None and status not in RESOURCE_STATUSES:
            errors.append({"line": number, "field": "status", "message": f"status must be one of {', '.join(RESOURCE_STATUSES)}"})
        notes = cells.get("notes") if "notes" in reader.fieldnames else None
        if notes and len(notes) > MAX_TEXT:
            errors.append({"line": number, "field": "notes", "message": f"notes: {MAX_TEXT} characters at most"})
        details = _parse_details(cells, number, errors)
        if len(errors) == problems_before:
            rows.append(ImportRow(number, tag, name, kind, site, status, notes, details))
    if errors:
        raise InvalidInput(f"{len(errors)} problem(s) in the file; nothing was imported.",
                           code=codes.INVALID_CSV, errors=errors)
    return rows
