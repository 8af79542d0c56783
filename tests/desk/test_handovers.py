"""Several items to one learner in one confirmation, all or nothing; the loan agreement asked once per
version (or at every loan), signed with a drawn stroke and kept with a hash; the check-in one by one."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from fablab.platform import db
from fablab.invariants import audit_invariants

# Constraints and the all-or-nothing transaction are what these tests are about.
pytestmark = pytest.mark.pg_engine

AGREEMENT = "Je rends le matériel à l'heure, en bon état, avec ses accessoires."
# A stroke drawn across the box: what a finger gives (points in the 600 × 240 box).
STROKE = {"strokes": [[[40 + i * 10, 120 + (i % 7) * 8] for i in range(40)]]}


def due(hours: float = 3) -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).replace(microsecond=0).isoformat()


async def lent_count() -> int:
    return await db.fetchval("SELECT count(*) FROM booking WHERE status = 'checked_out'")


async def test_three_items_to_one_learner_in_one_confirmation(staff):
    charger = (await staff.post("/api/resources/VLG-LAP-002/parts", json={"name": "Chargeur"})).json()["id"]
    mouse = (await staff.post("/api/resources/VLG-LAP-002/parts", json={"name": "Souris"})).json()["id"]
    before = await lent_count()
    response = await staff.post("/api/handovers", json={
        "learner": "learner1", "due_at": due(), "items": [
            {"tag": "vlg-lap-002", "parts": [charger]}, {"tag": "VLG-LAP-003"}, {"tag": "VLG-LAP-004"}]})
    assert response.status_code == 201, response.text
    body = response.json()
    assert [item["tag"] for item in body["items"]] == ["VLG-LAP-002", "VLG-LAP-003", "VLG-LAP-004"]
    assert body["holder"]["login"] == "learner1" and body["signed"] is False
    assert [part["name"] for part in body["items"][0]["parts"]] == ["Chargeur"]  # the mouse stayed at the desk
    assert await lent_count() == before + 3
    rows = await db.fetch("SELECT i.position, r.tag, i.parts FROM handover_item i JOIN resource r ON r.id = "
                          "i.resource_id WHERE i.handover_id = $1 ORDER BY i.position", body["id"])
    assert [row["tag"] for row in rows] == ["VLG-LAP-002", "VLG-LAP-003", "VLG-LAP-004"]
    assert [part["id"] for part in json.loads(rows[0]["parts"])] == [charger] and mouse != charger

    # Back one by one: the first with its charger missing, the second fine; the third still out.
    back = await staff.post("/api/checkins", json={"tag": "VLG-LAP-002", "missing_parts": [charger]})
    assert back.status_code == 200, back.text
    assert (await staff.post("/api/checkins", json={"tag": "VLG-LAP-003"})).status_code == 200
    detail = (await staff.get(f"/api/handovers/{body['id']}")).json()
    states = [(item["tag"], item["status"], item["condition"], [p["name"] for p in item["missing_parts"]])
              for item in detail["items"]]
    assert states == [("VLG-LAP-002", "returned", "incomplete", ["Chargeur"]),
                      ("VLG-LAP-003", "returned", "ok", []), ("VLG-LAP-004", "checked_out", None, [])]
    assert [result.name for result in await audit_invariants() if not result.holds] == []


async def test_one_item_not_free_lends_nothing(staff):
    first = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-004", "user": "learner2", "due_at": due()})
    assert first.status_code == 201, first.text
    before = (await lent_count(), await db.fetchval("SELECT count(*) FROM booking"),
              await db.fetchval("SELECT count(*) FROM movement"))
    response = await staff.post("/api/handovers", json={
        "learner": "learner1", "due_at": due(),
        "items": [{"tag": "VLG-LAP-002"}, {"tag": "VLG-LAP-003"}, {"tag": "VLG-LAP-004"}]})
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "already_checked_out" and response.json()["item"] == "VLG-LAP-004"
    after = (await lent_count(), await db.fetchval("SELECT count(*) FROM booking"),
             await db.fetchval("SELECT count(*) FROM movement"))
    assert after == before  # the two free laptops were not lent either, nor any walk-up booked
    assert await db.fetchval("SELECT count(*) FROM handover") == 0


async def test_the_same_item_twice_is_refused(staff):
    response = await staff.post("/api/handovers", json={
        "learner": "learner1", "due_at": due(), "items": [{"tag": "VLG-LAP-002"}, {"tag": "vlg-lap-002"}]})
    assert response.status_code == 400 and response.json()["code"] == "duplicate_item"


async def write_agreement(admin, text: str = AGREEMENT, every_loan: bool = False) -> dict:
    response = await admin.put("/api/sites/vlg/agreement", json={"text": text, "every_loan": every_loan})
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_agreement_is_asked_once_per_version(staff, admin, learner):
    nothing = await learner.get("/api/sites/vlg/agreement")
    assert nothing.status_code == 200 and nothing.json() is None
    assert (await write_agreement(admin))["version"] == 1
    ask = {"learner": "learner1", "due_at": due(), "items": [{"tag": "VLG-LAP-002"}, {"tag": "VLG-LAP-003"}]}

    refused = await staff.post("/api/handovers", json=ask)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "agreement_required"
    assert problem["agreement"] == {"version": 1, "text": AGREEMENT, "every_loan": False}
    assert [item["tag"] for item in problem["items"]] == ["VLG-LAP-002", "VLG-LAP-003"]
    assert await lent_count() == 0  # a refusal to sign is no loan

    # An empty box is no signature either.
    blank = await staff.post("/api/handovers", json={**ask, "signature": {"strokes": []}, "agreement_version": 1})
    assert blank.status_code == 400 and blank.json()["code"] == "invalid_signature"

    signed = await staff.post("/api/handovers", json={**ask, "signature": STROKE, "agreement_version": 1})
    assert signed.status_code == 201, signed.text
    assert signed.json()["signed"] is True and signed.json()["agreement_version"] == 1
    row = await db.fetchone("SELECT agreement_text, agreement_version, signature_png, signed_hash FROM handover "
                            "WHERE id = $1", signed.json()["id"])
    assert row["agreement_text"] == AGREEMENT and row["agreement_version"] == 1
    assert bytes(row["signature_png"]).startswith(b"\x89PNG") and len(row["signed_hash"]) == 64

    # Same version: nothing to sign (and the single check-out lends too).
    second = await staff.post("/api/handovers", json={**ask, "items": [{"tag": "VLG-LAP-004"}]})
    assert second.status_code == 201, second.text
    assert second.json()["signed"] is False

    # A new version asks again, on every path.
    assert (await write_agreement(admin, AGREEMENT + " Version 2."))["version"] == 2
    again = await staff.post("/api/handovers", json={**ask, "items": [{"tag": "VLG-LAP-005"}]})
    assert again.status_code == 422 and again.json()["agreement"]["version"] == 2
    single = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-005", "user": "learner1", "due_at": due()})
    assert single.status_code == 422 and single.json()["code"] == "agreement_required"
    stale = await staff.post("/api/handovers", json={**ask, "items": [{"tag": "VLG-LAP-005"}], "signature": STROKE,
                                                     "agreement_version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "agreement_changed"


async def test_every_loan_asks_at_each_loan_and_a_dry_run_says_so(staff, admin):
    await write_agreement(admin, every_loan=True)
    ask = {"learner": "learner1", "due_at": due(), "items": [{"tag": "VLG-LAP-002"}]}
    assert (await staff.post("/api/handovers", json={**ask, "signature": STROKE})).status_code == 201
    preview = await staff.post("/api/handovers", json={**ask, "items": [{"tag": "VLG-LAP-003"}], "dry_run": True})
    assert preview.status_code == 200, preview.text
    assert preview.json()["agreement"]["every_loan"] is True and preview.json()["id"] is None
    assert await lent_count() == 1  # the dry run lent nothing
    assert (await staff.post("/api/handovers", json={**ask, "items": [{"tag": "VLG-LAP-003"}]})).status_code == 422


async def test_learners_see_their_own_hand_overs_only(staff, learner, other_learner):
    token = (await learner.get("/api/me/pass")).json()["token"]  # lent to the pass the learner shows
    made = await staff.post("/api/handovers", json={"pass": token, "due_at": due(),
                                                    "items": [{"tag": "VLG-LAP-002"}]})
    assert made.status_code == 201 and made.json()["holder"]["login"] == "learner1", made.text
    handover_id = made.json()["id"]
    mine = (await learner.get("/api/handovers")).json()
    assert [(row["id"], row["receipt"]) for row in mine] == [(handover_id, f"/api/handovers/{handover_id}/receipt.pdf")]
    assert (await learner.get(f"/api/handovers/{handover_id}/receipt.pdf")).status_code == 200
    assert (await other_learner.get(f"/api/handovers/{handover_id}/receipt.pdf")).status_code == 404
    assert (await other_learner.get("/api/handovers")).json() == []


async def test_a_booked_item_is_handed_over_under_its_booking_the_others_as_walk_ups(staff):
    learner_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    start, end = datetime.now(timezone.utc) - timedelta(minutes=5), datetime.now(timezone.utc) + timedelta(hours=4)
    booking_id = await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, status) "
        "SELECT id, site_id, kind, $2, $3, $4, $4, 'confirmed' FROM resource WHERE tag = $1 RETURNING id",
        "VLG-LAP-001", learner_id, start, end)
    response = await staff.post("/api/handovers", json={
        "learner": learner_id, "due_at": due(), "items": [{"tag": "VLG-LAP-001"}, {"tag": "VLG-LAP-006"}]})
    assert response.status_code == 201, response.text
    booked, walk_up = response.json()["items"]
    assert (booked["booking"]["id"], booked["walk_up"]) == (booking_id, False)
    assert walk_up["walk_up"] is True and walk_up["booking"]["id"] != booking_id
