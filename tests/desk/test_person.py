"""The hand-overs in a person's lifecycle: in their export, forgotten after the retention period once
back, and erased with them (the signature goes; the items, times, text and hash stay)."""

from datetime import datetime, timedelta, timezone

import pytest

from fablab.platform import db
from fablab.people import lifecycle

pytestmark = pytest.mark.pg_engine

STROKE = {"strokes": [[[30 + i * 12, 60 + (i % 2) * 100] for i in range(40)]]}


async def signed_and_returned(staff, admin) -> int:
    assert (await admin.put("/api/sites/vlg/agreement", json={"text": "Charte."})).status_code == 200
    due = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
    made = await staff.post("/api/handovers", json={"learner": "learner1", "due_at": due, "signature": STROKE,
                                                    "items": [{"tag": "VLG-LAP-002"}, {"tag": "VLG-LAP-003"}]})
    assert made.status_code == 201, made.text
    for tag in ("VLG-LAP-002", "VLG-LAP-003"):
        assert (await staff.post("/api/checkins", json={"tag": tag})).status_code == 200
    return made.json()["id"]


async def test_the_export_names_the_hand_over_and_the_erasure_takes_the_signature(staff, admin, learner):
    handover_id = await signed_and_returned(staff, admin)
    [mine] = (await learner.get("/api/me/data")).json()["handovers"]
    assert (mine["id"], mine["involvement"], mine["signed"], mine["items"]) == (
        handover_id, "learner", True, ["VLG-LAP-002", "VLG-LAP-003"])
    staff_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'staff.vlg'")
    [made] = (await admin.get(f"/api/users/{staff_id}/data")).json()["handovers"]
    assert made["involvement"] == "staff"

    learner_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    erased = await admin.post(f"/api/users/{learner_id}/erase")
    assert erased.status_code == 200, erased.text
    row = await db.fetchone("SELECT user_id, staff_id, signature_png, signed_hash, agreement_text FROM handover")
    assert row["user_id"] is None and not row["signature_png"] and row["staff_id"] == staff_id
    assert len(row["signed_hash"]) == 64 and row["agreement_text"] == "Charte."
    assert await db.fetchval("SELECT count(*) FROM handover_item WHERE handover_id = $1", handover_id) == 2


async def test_after_the_retention_a_returned_hand_over_forgets_its_people(staff, admin):
    await signed_and_returned(staff, admin)
    changed = await lifecycle.anonymise_expired(days=30, now=datetime.now(timezone.utc) + timedelta(days=31))
    assert changed["tables"]["handover"] == 1
    row = await db.fetchone("SELECT user_id, staff_id, signature_png FROM handover")
    assert row == {"user_id": None, "staff_id": None, "signature_png": None}
