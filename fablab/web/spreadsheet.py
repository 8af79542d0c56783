"""CSV files as staff open them in a spreadsheet: formula injection, French encodings and separators."""

from __future__ import annotations

from fablab.errors import InvalidInput

# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix formula-like text with an apostrophe, which spreadsheets show as plain text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def restore_cell(value: str) -> str:
    """Undo neutralise_cell, so an exported file imports back unchanged."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def decode_upload(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on French Windows saves cp1252 by default
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("The file is not text (UTF-8 or Windows-1252 expected).", code="invalid_csv")


def guess_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    # French spreadsheets export with semicolons, as the comma is the decimal separator.
    return ";" if header.count(";") > header.count(",") else ","
