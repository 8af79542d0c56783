"""Inventory counts: scans, running state, and the closing report (seen / missing / unexpected)."""

import asyncio
from datetime import datetime, timedelta, timezone

from fablab.platform import db


async def checked_out_booking(tag: str, login: str) -> None:
    """An item lent right now, written directly (the booking service is another domain)."""
    now = datetime.now(timezone.utc)
    resource = await db.fetchone("SELECT id, site_id, kind FROM resource WHERE tag = $1", tag)
    user_id = await db.fetchval("SELECT id FROM app_user WHERE login = $1", login)
    await db.fetch(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, status, "
        "checked_out_at) VALUES ($1, $2, $3, $4, $5, $6, $6, 'checked_out', $5)",
        resource["id"], resource["site_id"], resource["kind"], user_id, now - timedelta(hours=1), now + timedelta(hours=3),
    )


async def test_count_report_with_one_missing_and_one_from_another_site(staff_everywhere):
    # Pantin: 17 items. One retired (not expected), one lent out (not expected), one never scanned.
    await staff_everywhere.patch("/api/resources/PAN-LAP-012", json={"status": "retired"})
    await checked_out_booking("PAN-LAP-011", "learner21")

    started = await staff_everywhere.post("/api/audits", json={"site": "pan"})
    assert started.status_code == 201, started.text
    audit = started.json()["id"]
    expected_here = [f"PAN-LAP-{n:03d}" for n in range(1, 10)] + ["PAN-P3D-001", "PAN-P3D-002",
                                                                 "PAN-ROOM-001", "PAN-ROOM-002", "PAN-ROOM-003"]
    for tag in expected_here:  # everything but PAN-LAP-010
        response = await staff_everywhere.post(f"/api/audits/{audit}/scans", json={"tag": tag.lower()})
        assert response.status_code == 201 and response.json()["expected"] is True
    stray = await staff_everywhere.post(f"/api/audits/{audit}/scans", json={"tag": "VLG-LAP-004"})
    assert stray.json()["expected"] is False and stray.json()["reason"] == "other_site"
    retired = await staff_everywhere.post(f"/api/audits/{audit}/scans", json={"tag": "PAN-LAP-012"})
    assert retired.json()["reason"] == "retired"
    again = await staff_everywhere.post(f"/api/audits/{audit}/scans", json={"tag": "PAN-LAP-001"})
    assert again.json()["already_seen"] is True

    running = (await staff_everywhere.get(f"/api/audits/{audit}")).json()
    assert running["open"] is True and [item["tag"] for item in running["report"]["missing"]] == ["PAN-LAP-010"]

    closed = await staff_everywhere.post(f"/api/audits/{audit}/close")
    assert closed.status_code == 200
    report = closed.json()["report"]
    assert [item["tag"] for item in report["missing"]] == ["PAN-LAP-010"]
    assert {(item["tag"], item["reason"]) for item in report["unexpected"]} == {
        ("VLG-LAP-004", "other_site"), ("PAN-LAP-012", "retired")}
    assert sorted(item["tag"] for item in report["seen"]) == sorted(expected_here)
    assert [item["tag"] for item in report["checked_out"]] == ["PAN-LAP-011"]
    assert report["counts"] == {"seen": 14, "missing": 1, "unexpected": 2, "checked_out": 1}

    # One audit_seen movement per item seen, duplicates included only once.
    assert await db.fetchval("SELECT count(*) FROM movement WHERE audit_id = $1", audit) == 16
    # The stored report is what a later read returns; the count takes no more scans.
    assert (await staff_everywhere.get(f"/api/audits/{audit}")).json()["report"] == report
    late = await staff_everywhere.post(f"/api/audits/{audit}/scans", json={"tag": "PAN-LAP-010"})
    assert late.status_code == 409 and late.json()["code"] == "audit_closed"
    assert (await staff_everywhere.post(f"/api/audits/{audit}/close")).status_code == 409

    # The report as a French spreadsheet opens it (issue 28): `;`, BOM, French words, missing first.
    sheet = await staff_everywhere.get(f"/api/audits/{audit}/report.csv")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    assert "Pantin%20-%20inventaire%20du%20" in sheet.headers["content-disposition"]
    lines = sheet.text.lstrip("\ufeff").splitlines()
    assert sheet.text.startswith("\ufeff") and len(lines) == 1 + 14 + 1 + 2 + 1
    assert lines[0] == '"Résultat du comptage";"Étiquette";"Nom";"Type de matériel";"État";"Remarque";"Vu le"'
    assert lines[1].startswith('"Manquant";"PAN-LAP-010";')
    assert '"Inattendu";"VLG-LAP-004";"Portable 04";"Ordinateur portable";"Disponible";"Appartient à un autre site";' \
        in sheet.text
    assert (await staff_everywhere.get(f"/api/audits/{audit}/report.csv?lang=en")).text.splitlines()[1].startswith(
        '"missing","PAN-LAP-010"')
    assert (await staff_everywhere.get(f"/api/audits/{audit}/report.csv?lang=de")).json()["code"] == "invalid_format"


async def test_one_open_count_per_site_even_when_started_together(staff):
    responses = await asyncio.gather(*[staff.post("/api/audits", json={"site": "vlg"}) for _ in range(3)])
    assert sorted(r.status_code for r in responses) == [201, 409, 409]
    conflict = next(r for r in responses if r.status_code == 409).json()
    assert conflict["code"] == "audit_already_open"
    assert conflict["audit"] == next(r for r in responses if r.status_code == 201).json()["id"]


async def test_audit_errors(staff_everywhere, learner):
    assert (await staff_everywhere.post("/api/audits", json={"site": "nowhere"})).json()["code"] == "unknown_site"
    assert (await staff_everywhere.get("/api/audits/999")).json()["code"] == "unknown_audit"
    audit = (await staff_everywhere.post("/api/audits", json={"site": "pfs"})).json()["id"]
    unknown = await staff_everywhere.post(f"/api/audits/{audit}/scans", json={"tag": "PFS-LAP-999"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_tag"
    assert (await learner.post("/api/audits", json={"site": "vlg"})).status_code == 403
    listed = (await staff_everywhere.get("/api/audits", params={"site": "pfs"})).json()
    assert [a["id"] for a in listed] == [audit] and listed[0]["open"] is True
