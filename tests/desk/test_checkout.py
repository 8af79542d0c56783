"""Check-out and check-in at the desk: matching bookings, moving them to the unit handed over,
walk-ups, one holder at a time (also across two server processes), overdue items, custody history."""

import asyncio
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from fablab.platform import db
from fablab.invariants import audit_invariants
from tests.support.clients import sign_in


def now() -> datetime:
    return datetime.now(timezone.utc)


async def book(tag: str, login: str, starts_at: datetime, ends_at: datetime, status: str = "confirmed") -> int:
    """A booking written directly: these tests are about the desk, not the booking rules."""
    resource = await db.fetchone("SELECT id, site_id, kind FROM resource WHERE tag = $1", tag)
    user_id = await db.fetchval("SELECT id FROM app_user WHERE login = $1", login)
    checked_out_at = starts_at if status == "checked_out" else None
    return await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, status, "
        "checked_out_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8) RETURNING id",
        resource["id"], resource["site_id"], resource["kind"], user_id, starts_at, ends_at, status, checked_out_at,
    )


async def assert_invariants_hold() -> None:
    assert [result.name for result in await audit_invariants() if not result.holds] == []


async def booking_row(booking_id: int) -> dict:
    return await db.fetchone(
        "SELECT b.*, r.tag FROM booking b JOIN resource r ON r.id = b.resource_id WHERE b.id = $1", booking_id)


async def test_check_out_the_booked_unit_then_check_it_in_early(staff):
    booking_id = await book("VLG-LAP-002", "learner1", now() - timedelta(minutes=10), now() + timedelta(hours=4))
    response = await staff.post("/api/checkouts", json={"tag": "vlg-lap-002", "user": "learner1"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["booking"]["id"] == booking_id and body["booking"]["status"] == "checked_out"
    assert body["holder"]["login"] == "learner1" and body["walk_up"] is False and body["moved_from"] is None
    row = await booking_row(booking_id)
    assert row["checked_out_at"] is not None and row["sequence"] == 1

    detail = (await staff.get("/api/resources/VLG-LAP-002")).json()
    assert detail["holder"]["login"] == "learner1" and detail["booking"]["id"] == booking_id
    tag_page = (await staff.get("/api/tags/VLG-LAP-002")).json()
    assert tag_page["actions"] == ["check_in", "lost"] and tag_page["holder"]["login"] == "learner1"

    returned = await staff.post("/api/checkins", json={"tag": "VLG-LAP-002", "condition": "incomplete",
                                                       "note": "chargeur manquant"})
    assert returned.status_code == 200, returned.text
    row = await booking_row(booking_id)
    assert row["status"] == "returned" and row["sequence"] == 2
    # Returned early: the booking now ends at the return, freeing the rest of the slot.
    assert row["ends_at"] == row["returned_at"] and row["blocked_until"] == row["ends_at"]
    movements = (await staff.get("/api/movements", params={"tag": "VLG-LAP-002"})).json()
    assert [(m["kind"], m["holder"]["login"], m["condition"]) for m in movements] == [
        ("check_in", "learner1", "incomplete"), ("check_out", "learner1", None)]
    assert movements[0]["note"] == "chargeur manquant"
    assert (await staff.get("/api/resources/VLG-LAP-002")).json()["status"] == "available"
    await assert_invariants_hold()


async def test_check_out_moves_the_booking_to_the_unit_handed_over(staff, learner):
    # learner1 booked a laptop (VLG-LAP-001); the desk hands over VLG-LAP-008, which is free.
    booking_id = await book("VLG-LAP-001", "learner1", now() + timedelta(minutes=20), now() + timedelta(hours=6))
    learner_id = (await learner.get("/api/me")).json()["id"]
    response = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-008", "user": learner_id})
    assert response.status_code == 201, response.text
    assert response.json()["moved_from"] == "VLG-LAP-001" and response.json()["booking"]["id"] == booking_id
    row = await booking_row(booking_id)
    assert row["tag"] == "VLG-LAP-008" and row["status"] == "checked_out"
    assert row["starts_at"] <= row["checked_out_at"]  # taken early: the loan starts now
    # The learner's tag page of the new unit shows their booking.
    page = (await learner.get("/api/tags/VLG-LAP-008")).json()
    assert page["my_booking"]["id"] == booking_id and page["actions"] == ["view_booking"]
    await assert_invariants_hold()


async def test_booking_is_not_moved_onto_a_unit_booked_by_someone_else(staff):
    mine = await book("VLG-LAP-001", "learner1", now() - timedelta(minutes=5), now() + timedelta(hours=3))
    await book("VLG-LAP-009", "learner2", now() + timedelta(hours=1), now() + timedelta(hours=5))
    response = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-009", "user": "learner1"})
    assert response.status_code == 409 and response.json()["code"] == "booking_conflict"
    row = await booking_row(mine)
    assert row["tag"] == "VLG-LAP-001" and row["status"] == "confirmed" and row["sequence"] == 0


async def test_a_chosen_booking_is_handed_over_early_to_its_learner_only(staff):
    # Tomorrow's booking is outside its check-out window; staff may still name it explicitly,
    # but only for its own learner and an item of the same kind.
    tomorrow = await book("VLG-ROOM-001", "learner1", now() + timedelta(days=1), now() + timedelta(days=1, hours=1))
    other = await staff.post("/api/checkouts", json={"tag": "VLG-ROOM-001", "user": "learner2", "booking": tomorrow})
    assert other.status_code == 404 and other.json()["code"] == "unknown_booking"
    wrong_kind = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-004", "booking": tomorrow})
    assert wrong_kind.status_code == 400 and wrong_kind.json()["code"] == "booking_mismatch"
    chosen = await staff.post("/api/checkouts", json={"tag": "VLG-ROOM-001", "booking": tomorrow})
    assert chosen.status_code == 201 and chosen.json()["holder"]["login"] == "learner1"


async def test_check_in_of_an_item_not_out_is_409(staff):
    response = await staff.post("/api/checkins", json={"tag": "VLG-LAP-004"})
    assert response.status_code == 409 and response.json()["code"] == "not_checked_out"
    assert await db.fetchval("SELECT count(*) FROM movement") == 0


async def test_damaged_return_sends_the_item_to_maintenance(staff_everywhere):
    await book("PAN-P3D-001", "learner21", now() - timedelta(hours=2), now() - timedelta(minutes=30), "checked_out")
    response = await staff_everywhere.post("/api/checkins", json={"tag": "PAN-P3D-001", "condition": "damaged", "note": "buse"})
    assert response.status_code == 200 and response.json()["resource_status"] == "maintenance"
    assert response.json()["late"] is True
    assert (await staff_everywhere.get("/api/resources/PAN-P3D-001")).json()["status"] == "maintenance"
    kinds = [m["kind"] for m in (await staff_everywhere.get("/api/movements", params={"tag": "PAN-P3D-001"})).json()]
    assert kinds == ["maintenance_start", "check_in"]
    # An item in maintenance (or lost, or retired) is not lent.
    await book("PAN-P3D-001", "learner21", now(), now() + timedelta(hours=1))
    refused = await staff_everywhere.post("/api/checkouts", json={"tag": "PAN-P3D-001", "user": "learner21"})
    assert refused.status_code == 409 and refused.json()["code"] == "resource_unavailable"
    assert refused.json()["resource_status"] == "maintenance"


async def test_checkout_input_errors(staff, learner):
    no_holder = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-001"})
    assert no_holder.status_code == 400 and no_holder.json()["code"] == "holder_required"
    unknown_user = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-001", "user": "nobody"})
    assert unknown_user.status_code == 404 and unknown_user.json()["code"] == "unknown_user"
    unknown_tag = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-404", "user": "learner1"})
    assert unknown_tag.status_code == 404 and unknown_tag.json()["code"] == "unknown_tag"
    past = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-001", "user": "learner1",
                                                   "due_at": "2020-01-01T10:00:00Z"})
    assert past.status_code == 400 and past.json()["code"] == "due_at_in_past"
    naive = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-001", "user": "learner1",
                                                    "due_at": "2030-01-01T10:00:00"})
    assert naive.status_code == 400
    assert (await learner.post("/api/checkouts", json={"tag": "VLG-LAP-001", "user": "learner1"})).status_code == 403


async def test_two_desks_checking_out_the_same_tag_in_process(app, staff):
    booking_id = await book("VLG-LAP-006", "learner3", now() - timedelta(minutes=1), now() + timedelta(hours=2))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        await sign_in(other, "admin")
        responses = await asyncio.gather(
            staff.post("/api/checkouts", json={"tag": "VLG-LAP-006", "user": "learner3"}),
            other.post("/api/checkouts", json={"tag": "vlg-lap-006", "booking": booking_id}),
        )
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert next(r for r in responses if r.status_code == 409).json()["code"] == "already_checked_out"
    assert await db.fetchval("SELECT count(*) FROM movement WHERE kind = 'check_out'") == 1
    await assert_invariants_hold()


@pytest.mark.server
async def test_two_desks_checking_out_the_same_tag_on_two_workers(live_server):
    tags = ["PFS-LAP-001", "PFS-LAP-002", "PFS-LAP-003"]
    for n, tag in enumerate(tags):
        await book(tag, f"learner1{n + 1}", now() - timedelta(minutes=1), now() + timedelta(hours=2))
    async with httpx.AsyncClient(base_url=live_server) as desk_a, httpx.AsyncClient(base_url=live_server) as desk_b:
        await sign_in(desk_a, "staff.pfs")
        await sign_in(desk_b, "admin")
        for n, tag in enumerate(tags):
            body = {"tag": tag, "user": f"learner1{n + 1}"}
            responses = await asyncio.gather(desk_a.post("/api/checkouts", json=body),
                                             desk_b.post("/api/checkouts", json=body))
            assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
            assert next(r for r in responses if r.status_code == 409).json()["code"] == "already_checked_out"
    assert await db.fetchval("SELECT count(*) FROM booking WHERE status = 'checked_out'") == 3
    assert await db.fetchval("SELECT count(*) FROM movement WHERE kind = 'check_out'") == 3
    await assert_invariants_hold()


@pytest.mark.server
async def test_two_desks_checking_the_same_tag_in_on_two_workers(live_server):
    # The item and its open check-out are read in one locked statement: the desk that waited for the
    # lock must still find the loan already returned, not return it twice.
    tags = ["PFS-LAP-004", "PFS-LAP-005", "PFS-LAP-006"]
    for n, tag in enumerate(tags):
        await book(tag, f"learner1{n + 4}", now() - timedelta(minutes=1), now() + timedelta(hours=2))
    async with httpx.AsyncClient(base_url=live_server) as desk_a, httpx.AsyncClient(base_url=live_server) as desk_b:
        await sign_in(desk_a, "staff.pfs")
        await sign_in(desk_b, "admin")
        for n, tag in enumerate(tags):
            out = await desk_a.post("/api/checkouts", json={"tag": tag, "user": f"learner1{n + 4}"})
            assert out.status_code == 201, out.text
            responses = await asyncio.gather(desk_a.post("/api/checkins", json={"tag": tag}),
                                             desk_b.post("/api/checkins", json={"tag": tag}))
            assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
            assert next(r for r in responses if r.status_code == 409).json()["code"] == "not_checked_out"
    assert await db.fetchval("SELECT count(*) FROM movement WHERE kind = 'check_in'") == 3
    assert await db.fetchval("SELECT count(*) FROM booking WHERE status = 'returned'") == 3
    await assert_invariants_hold()


async def test_overdue_items_and_holdings_are_one_call_each(staff_everywhere):
    late = await book("PAN-LAP-003", "learner22", now() - timedelta(days=2), now() - timedelta(hours=3), "checked_out")
    await book("PAN-LAP-004", "learner22", now() - timedelta(hours=1), now() + timedelta(hours=5), "checked_out")
    await book("VLG-LAP-010", "learner1", now() - timedelta(days=1), now() - timedelta(hours=1), "checked_out")

    overdue = await staff_everywhere.get("/api/checkouts", params={"site": "pan", "overdue": "true"})
    assert overdue.status_code == 200
    assert [(c["resource"], c["user"]["login"], c["overdue"]) for c in overdue.json()] == [
        ("PAN-LAP-003", "learner22", True)]
    assert overdue.json()[0]["id"] == late

    learner22 = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner22'")
    holding = (await staff_everywhere.get("/api/checkouts", params={"user": str(learner22)})).json()
    assert sorted(c["resource"] for c in holding) == ["PAN-LAP-003", "PAN-LAP-004"]
    by_login = (await staff_everywhere.get("/api/checkouts", params={"user": "learner22"})).json()
    assert by_login == holding


async def test_who_held_an_item_on_a_day_and_at_an_instant(staff):
    first = await book("VLG-LAP-007", "learner4", now() - timedelta(hours=3), now() + timedelta(hours=3))
    assert (await staff.post("/api/checkouts", json={"tag": "VLG-LAP-007", "user": "learner4"})).status_code == 201
    assert (await staff.post("/api/checkins", json={"tag": "VLG-LAP-007"})).status_code == 200
    await book("VLG-LAP-007", "learner5", now(), now() + timedelta(hours=2))
    assert (await staff.post("/api/checkouts", json={"tag": "VLG-LAP-007", "user": "learner5"})).status_code == 201

    today = now().astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris")).date().isoformat()
    day = (await staff.get("/api/resources/VLG-LAP-007/holders", params={"at": today})).json()
    assert [h["holder"]["login"] for h in day["holders"]] == ["learner4", "learner5"]
    assert day["holders"][0]["booking"] == first and day["holders"][1]["to"] is None

    current = (await staff.get("/api/resources/vlg-lap-007/holders")).json()
    assert [h["holder"]["login"] for h in current["holders"]] == ["learner5"]
    last_year = (await staff.get("/api/resources/VLG-LAP-007/holders", params={"at": "2025-03-12T10:00:00+01:00"})).json()
    assert last_year["holders"] == []
    bad = await staff.get("/api/resources/VLG-LAP-007/holders", params={"at": "12 mars"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_date"

    history = (await staff.get("/api/movements", params={"user": "learner4", "from": today})).json()
    assert [m["kind"] for m in history] == ["check_in", "check_out"]


async def test_walk_up_check_out_creates_a_booking(staff):
    due = (now() + timedelta(hours=1)).replace(microsecond=0)
    response = await staff.post("/api/checkouts", json={"tag": "VLG-ROOM-003", "user": "learner6",
                                                        "due_at": due.isoformat()})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["walk_up"] is True and body["holder"]["login"] == "learner6"
    row = await booking_row(body["booking"]["id"])
    assert row["status"] == "checked_out" and row["tag"] == "VLG-ROOM-003" and row["user_id"] is not None
    assert await db.fetchval("SELECT count(*) FROM movement WHERE kind = 'check_out' AND booking_id = $1",
                             row["id"]) == 1
    await assert_invariants_hold()
