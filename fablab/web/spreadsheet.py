"""CSV files as staff open them in a spreadsheet: formula injection, French encodings and separators."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable

from fablab.domain import codes
from fablab.domain.errors import InvalidInput

# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ... and so is one that follows a separator: a spreadsheet that splits the cell there (French
# Excel on ";", others on "," or tabs) turns `Bob;=cmd|' /C calc'!A0` into a formula cell.
FORMULA_AFTER_SEPARATOR = re.compile(r"[,;\t\r\n]\s*[=+\-@]")


# Spreadsheets skip these before a formula, or read them as its sign (issue 26): spaces of every
# kind (no-break, narrow, ideographic), zero-width and other invisible marks; and the fullwidth or
# small forms of = + - @ (＝, ﹦...) that NFKC folds to the plain ones.
def _skipped(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Zs", "Cf", "Cc")


def _dangerous(value: str) -> bool:
    if value.startswith(FORMULA_STARTS):
        return True
    folded = unicodedata.normalize("NFKC", value)
    start = next((n for n, char in enumerate(folded) if not _skipped(char)), len(folded))
    return folded[start:].startswith(FORMULA_STARTS[:4]) or FORMULA_AFTER_SEPARATOR.search(folded) is not None


def _needs_prefix(value: str) -> bool:
    # A text that already starts with apostrophes before something dangerous gets one more, so
    # that restore_cell gives back exactly what was exported.
    return _dangerous(value) or (value.startswith("'") and _dangerous(value.lstrip("'")))


def neutralise_cell(value: str) -> str:
    """Prefix formula-like text with an apostrophe, which spreadsheets show as plain text."""
    return "'" + value if _needs_prefix(value) else value


def restore_cell(value: str) -> str:
    """Undo neutralise_cell, so an exported file imports back unchanged."""
    if value.startswith("'") and _needs_prefix(value[1:]):
        return value[1:]
    return value


def write_csv(columns: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """The one way our CSV files are written: every cell quoted (a separator inside a cell never
    splits it) and neutralised; a BOM so that Excel reads UTF-8 (accents in names); CRLF lines."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(list(columns))
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue()


def decode_upload(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on French Windows saves cp1252 by default
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("The file is not text (UTF-8 or Windows-1252 expected).", code=codes.INVALID_CSV)


def guess_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    # French spreadsheets export with semicolons, as the comma is the decimal separator.
    return ";" if header.count(";") > header.count(",") else ","


def read_upload(raw: bytes, required: Iterable[str], expected: str) -> csv.DictReader:
    """The rows of an uploaded CSV, keyed by its header's names (trimmed, lower case); InvalidInput
    naming the missing columns when a required one is absent (`expected` says what the header holds)."""
    text = decode_upload(raw)
    reader = csv.DictReader(io.StringIO(text), delimiter=guess_delimiter(text))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in required if column not in header]
    if missing:
        raise InvalidInput(f"Missing column(s): {', '.join(missing)}. {expected}", code=codes.INVALID_CSV)
    reader.fieldnames = header
    return reader


def cell_text(value: object) -> str:
    """A cell as CSV and the terminal show it: empty for None, yes/no for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
