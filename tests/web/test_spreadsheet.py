"""CSV exports a French Excel opens safely: every cell quoted, formula starts neutralised, also
after a separator inside a cell (issue 16 §6), and what was exported imports back unchanged."""

import csv
import io

import pytest

from fablab.platform import db
from fablab.web.spreadsheet import neutralise_cell, restore_cell, write_csv

ATTACK = "Bob;=cmd|' /C calc'!A0;"


def cells_of(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def test_every_cell_is_quoted_so_a_semicolon_never_splits_it():
    text = write_csv(["name", "n"], [[ATTACK, "3"], ["Inès", ""]])
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    assert text.lstrip("\ufeff").splitlines() == ['"name","n"', '"\'Bob;=cmd|\' /C calc\'!A0;","3"', '"Inès",""']
    # Read as French Excel does (on ";"), the cell stays whole and starts with the apostrophe.
    split_on_semicolons = cells_of(text, ";")[1]
    assert len(split_on_semicolons) == 1 and split_on_semicolons[0].startswith("'" + ATTACK)
    assert cells_of(text, ",")[1] == ["'" + ATTACK, "3"]


@pytest.mark.parametrize("value", [
    "Bob;=cmd", "Dupont, +33 6", "a\t@SUM(1)", "ligne 1\n=1+1", "x; =1", "=1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_formula_starts_anywhere_after_a_separator_are_neutralised(value):
    assert neutralise_cell(value) == "'" + value
    assert restore_cell(neutralise_cell(value)) == value


@pytest.mark.parametrize("value", ["Inès", "", "Jean-Pierre", "3D - bases", "VLG-LAP-001", "'quoted",
                                   "a,b", "'=already", "''Bob;=x", "it's"])
def test_export_then_import_gives_back_every_text(value):
    assert restore_cell(neutralise_cell(value)) == value
    if not value.startswith("'"):
        assert neutralise_cell(value) in (value, "'" + value)


async def test_users_resources_and_reports_exports_quote_and_neutralise(staff, demo):
    await db.fetch("UPDATE app_user SET name = $1 WHERE login = 'learner1'", ATTACK)
    await db.fetch("UPDATE resource SET name = $1, notes = $1 WHERE tag = 'VLG-ROOM-002'", ATTACK)
    users = await staff.get("/api/users/export.csv")
    resources = await staff.get("/api/resources/export.csv", params={"site": "vlg"})
    report = await staff.get("/api/reports/utilisation", params={"site": "vlg", "format": "csv"})
    for response in (users, resources, report):
        assert response.status_code == 200, response.text
        text = response.content.decode("utf-8-sig")
        assert ATTACK not in text.replace("'" + ATTACK, ""), "the attack text appears only neutralised"
        for line in text.splitlines():
            assert line.startswith('"') and line.endswith('"'), line
    assert '"\'' + ATTACK + '"' in users.text
    assert '"\'' + ATTACK + '"' in resources.text
    assert '"\'' + ATTACK + '"' in report.text

    # The inventory file goes back in unchanged: the apostrophes are taken off at import.
    result = await staff.post("/api/resources/import", content=resources.content, headers={"content-type": "text/csv"})
    assert result.status_code == 200, result.text
    assert result.json()["updated"] == []
    assert await db.fetchval("SELECT name FROM resource WHERE tag = 'VLG-ROOM-002'") == ATTACK
