"""The report endpoint and `fablab report` on bookings written with SQL, figures computed by hand."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from fablab.platform import db
from tests.support.paths import ROOT
from tests.support.reports import WEEK, week  # noqa: F401 - week is a fixture



async def test_staff_report_of_their_site(staff, week):
    response = await staff.get("/api/reports/utilisation", params=WEEK)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["site"]["slug"] == "vlg" and (report["from"], report["to"]) == ("2026-11-16", "2026-11-22")
    assert report["open_hours"] == 4 * 9  # Thursday closed
    kinds = {row["kind"]: row for row in report["kinds"]}
    assert (kinds["laptop"]["units"], kinds["laptop"]["open_hours"], kinds["laptop"]["booked_open_hours"]) == (12, 432, 27)
    assert kinds["laptop"]["utilisation"] == round(27 / 432, 4)
    assert kinds["laptop"]["most_used"][0] == {"tag": "VLG-LAP-001", "name": "Portable 01",
                                              "booked_open_hours": 27, "utilisation": 0.75}
    assert kinds["room"]["utilisation"] == round(2 / 108, 4) and kinds["room"]["no_show_rate"] == 0.5
    assert kinds["printer_3d"]["utilisation"] == round(2 / 72, 4)
    totals = report["totals"]
    assert (totals["units"], totals["bookings"], totals["booked_hours"], totals["booked_open_hours"]) == (17, 3, 69, 31)
    assert totals["utilisation"] == round(31 / 612, 4)
    # Laptop, room and print came, one room booking did not; the cancelled one is no candidate.
    assert (totals["no_shows"], totals["no_show_base"], totals["no_show_rate"]) == (1, 4, 0.25)
    assert report["overdue"]["count"] == 1
    loan = report["overdue"]["loans"][0]
    assert (loan["tag"], loan["still_out"], loan["overdue_hours"], loan["user_login"]) == ("VLG-LAP-001", False, 16, "learner1")
    starts = report["heatmap"]["starts"]
    assert (starts[0][9], starts[1][14], starts[4][16], sum(map(sum, starts))) == (1, 1, 1, 3)


async def test_kind_filter_and_admin_any_site(admin, week):
    response = await admin.get("/api/reports/utilisation", params={**WEEK, "site": "pfs", "kind": "laptop"})
    assert response.status_code == 200
    report = response.json()
    assert [row["kind"] for row in report["kinds"]] == ["laptop"]
    assert report["totals"]["bookings"] == 1 and report["totals"]["booked_open_hours"] == 9
    missing = await admin.get("/api/reports/utilisation", params=WEEK)
    assert missing.status_code == 400 and missing.json()["code"] == "site_required"


@pytest.mark.parametrize("params, status, code", [
    ({"site": "pfs"}, 403, "not_your_site"),
    ({"site": "nowhere"}, 404, "unknown_site"),
    ({"from": "2026-11-31"}, 400, "invalid_date"),
    ({"from": "2026-11-30", "to": "2026-11-01"}, 400, "invalid_period"),
    ({"format": "xlsx"}, 400, "invalid_format"),
    ({"format": "csv", "table": "secrets"}, 400, "invalid_table"),
    ({"kind": "drone"}, 400, "unknown_kind"),
])
async def test_refusals(staff, demo, params, status, code):
    response = await staff.get("/api/reports/utilisation", params=params)
    assert (response.status_code, response.json()["code"]) == (status, code)


async def test_learners_get_no_report(learner, demo):
    response = await learner.get("/api/reports/utilisation")
    assert response.status_code == 403


async def test_csv_export_is_safe_in_a_spreadsheet(staff, week):
    await db.fetch("UPDATE resource SET name = '=cmd|'' /C calc''!A0' WHERE tag = 'VLG-ROOM-002'")
    response = await staff.get("/api/reports/utilisation", params={**WEEK, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="rapport-vlg-resources-2026-11-16-2026-11-22.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    by_tag = {row["tag"]: row for row in rows}
    assert len(rows) == 17
    assert by_tag["VLG-ROOM-002"]["name"] == "'=cmd|' /C calc'!A0"
    assert (by_tag["VLG-LAP-001"]["booked_hours"], by_tag["VLG-LAP-001"]["utilisation"]) == ("57.0", "0.75")
    overdue = await staff.get("/api/reports/utilisation", params={**WEEK, "format": "csv", "table": "overdue"})
    assert "VLG-LAP-001" in overdue.text and "2026-11-18T18:00+01:00" in overdue.text


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "fablab.cli", "report", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


async def test_cli_prints_the_same_figures(database_url, week):
    as_json = run_cli(database_url, "--site", "vlg", "--from", WEEK["from"], "--to", WEEK["to"], "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert (report["totals"]["booked_open_hours"], report["totals"]["utilisation"]) == (31, round(31 / 612, 4))
    as_table = run_cli(database_url, "--site", "vlg", "--from", WEEK["from"], "--to", WEEK["to"])
    assert as_table.returncode == 0, as_table.stderr
    assert "== resources ==" in as_table.stdout
    lap = next(line for line in as_table.stdout.splitlines() if line.startswith("VLG-LAP-001"))
    assert "57.0" in lap and "75.0 %" in lap
    as_csv = run_cli(database_url, "--site", "vlg", "--from", WEEK["from"], "--to", WEEK["to"],
                     "--format", "csv", "--table", "kinds")
    assert as_csv.stdout.splitlines()[0].startswith('"kind","units","bookings"')
    unknown = run_cli(database_url, "--site", "nowhere")
    assert unknown.returncode == 2 and "nowhere" in unknown.stderr
