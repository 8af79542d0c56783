"""An item leaving service, decided in one place (issue 25 item 2, issue 28 major 6).

A learner's booking of a laptop by kind for Wednesday: when its laptop leaves service (a damaged
return, maintenance started, lost, retired, a maintenance overdue that refuses bookings) the
booking moves to another free laptop, same slot; with no other free laptop it is withdrawn and the
learner told once. A booking of that very unit is withdrawn. Staff see both in the answer.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta, timezone

import asyncpg
import pytest

from fablab.platform import db
from fablab.reports import reminders
from fablab.reports.reminder_text import subject_and_body
from tests.support.bookings import PARIS, next_wednesday

WEDNESDAY = next_wednesday()


def wednesday(hour: int) -> str:
    return datetime.combine(WEDNESDAY, time(hour), PARIS).isoformat()


async def book_wednesday(client, **target) -> dict:
    body = {"starts_at": wednesday(9), "ends_at": wednesday(18), **(target or {"site": "vlg", "kind": "laptop"})}
    response = await client.post("/api/bookings", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def lend_and_return(staff, tag: str, **checkin) -> dict:
    """A walk-up loan to learner2 now, back at once: the answer of the check-in."""
    due = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
    lent = await staff.post("/api/checkouts", json={"tag": tag, "user": "learner2", "due_at": due})
    assert lent.status_code == 201, lent.text
    back = await staff.post("/api/checkins", json={"tag": tag, **checkin})
    assert back.status_code == 200, back.text
    return back.json()


async def only_laptop_left(tag: str) -> None:
    """Every other laptop of Villeneuve is in maintenance: nowhere to move a booking to."""
    await db.fetch("UPDATE resource SET status = 'maintenance' WHERE kind = 'laptop' AND tag LIKE 'VLG-%' "
                   "AND tag <> $1", tag)


async def booking_row(booking_id: int) -> dict:
    return await db.fetchone("SELECT b.status, b.sequence, b.cancel_reason, r.tag, r.status AS unit_status, "
                             "m.tag AS moved_from FROM booking b JOIN resource r ON r.id = b.resource_id "
                             "LEFT JOIN resource m ON m.id = b.moved_from_id WHERE b.id = $1", booking_id)


async def withdrawn_notices() -> list:
    now = datetime.now(timezone.utc)
    return [r for r in await reminders.plan(now, now) if r.kind == "booking_withdrawn"]


async def change_status(staff, tag: str, status: str) -> dict:
    response = await staff.patch(f"/api/resources/{tag}", json={"status": status, "note": "test"})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def reachable(demo):
    await db.fetch("UPDATE app_user SET email = 'ines@example.org' WHERE login = 'learner1'")


# -------------------------------------------------------------------------------------------
# A damaged return at the desk


async def test_a_damaged_return_moves_the_booking_by_kind_to_another_free_laptop(learner, staff, reachable):
    booked = await book_wednesday(learner)
    unit = booked["resource"]
    back = await lend_and_return(staff, unit, condition="damaged", note="Écran fissuré")

    assert back["resource_status"] == "maintenance"
    [moved] = back["item_bookings"]["moved"]
    assert back["item_bookings"]["withdrawn"] == []
    assert moved["id"] == booked["id"] and moved["moved_from"] == unit and moved["resource"] != unit
    assert (moved["starts_at"], moved["ends_at"], moved["status"]) == (booked["starts_at"], booked["ends_at"], "confirmed")
    row = await booking_row(booked["id"])
    assert row["tag"] == moved["resource"] and row["unit_status"] == "available" and row["moved_from"] == unit
    assert row["sequence"] > booked["sequence"], "calendars must see the change (SEQUENCE)"
    # The learner keeps the slot and sees why the unit changed; nothing to be told by mail.
    mine = [b for b in (await learner.get("/api/bookings", params={"mine": "true"})).json() if b["id"] == booked["id"]]
    assert mine[0]["moved_from"] == unit and mine[0]["status"] == "confirmed"
    assert await withdrawn_notices() == []


async def test_a_damaged_return_with_no_other_free_laptop_withdraws_and_tells_the_learner_once(learner, staff,
                                                                                                  reachable):
    booked = await book_wednesday(learner)
    unit = booked["resource"]
    await only_laptop_left(unit)
    back = await lend_and_return(staff, unit, condition="damaged")

    assert back["item_bookings"]["moved"] == []
    [withdrawn] = back["item_bookings"]["withdrawn"]
    assert withdrawn["id"] == booked["id"] and withdrawn["status"] == "cancelled"
    assert withdrawn["cancel_reason"] == "resource_maintenance" and withdrawn["user"]["login"] == "learner1"
    [notice] = await withdrawn_notices()
    assert notice.booking["id"] == booked["id"] and notice.recipient.email == "ines@example.org"
    subject, body = subject_and_body(notice)
    assert "n'est plus disponible" in subject and "maintenance" in body
    mine = [b for b in (await learner.get("/api/bookings", params={"mine": "true"})).json() if b["id"] == booked["id"]]
    assert mine[0]["cancel_reason"] == "resource_maintenance"


async def test_a_good_return_says_nothing_about_bookings(learner, staff):
    booked = await book_wednesday(learner)
    back = await lend_and_return(staff, booked["resource"], condition="ok")
    assert back["item_bookings"] is None and back["resource_status"] == "available"
    assert (await booking_row(booked["id"]))["tag"] == booked["resource"]


# -------------------------------------------------------------------------------------------
# Lost, retired, maintenance started: the same function


@pytest.mark.parametrize("status", ["maintenance", "lost", "retired"])
async def test_a_status_out_of_service_moves_the_booking_by_kind(learner, staff, reachable, status):
    booked = await book_wednesday(learner)
    unit = booked["resource"]
    changed = await change_status(staff, unit, status)
    assert changed["status"] == status
    [moved] = changed["item_bookings"]["moved"]
    assert moved["id"] == booked["id"] and moved["moved_from"] == unit and moved["resource"] != unit
    assert changed["item_bookings"]["withdrawn"] == []
    assert await withdrawn_notices() == []


@pytest.mark.parametrize("status", ["maintenance", "lost", "retired"])
async def test_a_status_out_of_service_with_no_other_laptop_withdraws_and_tells_once(learner, staff, reachable,
                                                                                       status):
    booked = await book_wednesday(learner)
    await only_laptop_left(booked["resource"])
    changed = await change_status(staff, booked["resource"], status)
    assert changed["item_bookings"]["moved"] == []
    assert [b["id"] for b in changed["item_bookings"]["withdrawn"]] == [booked["id"]]
    assert (await booking_row(booked["id"]))["cancel_reason"] == f"resource_{status}"
    assert [n.booking["id"] for n in await withdrawn_notices()] == [booked["id"]]


async def test_a_booking_of_that_very_unit_is_withdrawn_even_with_other_laptops_free(learner, staff, reachable):
    booked = await book_wednesday(learner, resource="VLG-LAP-004")
    changed = await change_status(staff, "VLG-LAP-004", "maintenance")
    assert changed["item_bookings"]["moved"] == []
    assert [b["id"] for b in changed["item_bookings"]["withdrawn"]] == [booked["id"]]
    assert [n.booking["id"] for n in await withdrawn_notices()] == [booked["id"]]


async def test_back_in_service_changes_no_booking(learner, staff):
    booked = await book_wednesday(learner)
    moved_to = (await change_status(staff, booked["resource"], "maintenance"))["item_bookings"]["moved"][0]["resource"]
    back = await change_status(staff, booked["resource"], "available")
    assert "item_bookings" not in back
    assert (await booking_row(booked["id"]))["tag"] == moved_to


async def test_several_bookings_fill_the_free_laptops_then_are_withdrawn(learner, other_learner, staff, reachable):
    """Two bookings of one unit on two days; one other laptop free on the first day only."""
    first = await book_wednesday(learner, resource="VLG-LAP-001")
    await db.fetch("UPDATE booking SET unit_chosen = false WHERE id = $1", first["id"])
    thursday = {"starts_at": datetime.combine(WEDNESDAY + timedelta(days=1), time(9), PARIS).isoformat(),
                "ends_at": datetime.combine(WEDNESDAY + timedelta(days=1), time(18), PARIS).isoformat()}
    second = await other_learner.post("/api/bookings", json={"resource": "VLG-LAP-001", **thursday})
    assert second.status_code == 201, second.text
    await db.fetch("UPDATE booking SET unit_chosen = false WHERE id = $1", second.json()["id"])
    await only_laptop_left("VLG-LAP-001")
    await db.fetch("UPDATE resource SET status = 'available' WHERE tag = 'VLG-LAP-002'")
    # VLG-LAP-002 is taken on Thursday by someone else: only Wednesday's booking can move there.
    taken = await staff.post("/api/bookings", json={"resource": "VLG-LAP-002", "user": "learner3", **thursday})
    assert taken.status_code == 201, taken.text

    changed = await change_status(staff, "VLG-LAP-001", "lost")
    assert [(b["id"], b["resource"]) for b in changed["item_bookings"]["moved"]] == [(first["id"], "VLG-LAP-002")]
    assert [b["id"] for b in changed["item_bookings"]["withdrawn"]] == [second.json()["id"]]
    assert await overlapping_active_pairs() == 0


# -------------------------------------------------------------------------------------------
# A maintenance overdue that refuses bookings


async def test_a_return_that_makes_the_maintenance_overdue_moves_the_booking(learner, staff):
    booked = await book_wednesday(learner)
    unit = booked["resource"]
    plan = await staff.put(f"/api/resources/{unit}/maintenance-plan",
                           json={"every_loans": 1, "task": "Nettoyer le clavier", "refuse_when_overdue": True})
    assert plan.status_code == 200, plan.text
    assert plan.json()["item_bookings"] == {"moved": [], "withdrawn": []}  # not due yet: nothing moved
    back = await lend_and_return(staff, unit, condition="ok")
    assert back["resource_status"] == "available"  # still available, but its plan refuses bookings
    assert [b["id"] for b in back["item_bookings"]["moved"]] == [booked["id"]]
    assert (await booking_row(booked["id"]))["moved_from"] == unit


async def test_a_plan_set_on_an_item_already_overdue_moves_its_bookings(learner, staff):
    booked = await book_wednesday(learner)
    unit = booked["resource"]
    await staff.put(f"/api/resources/{unit}/maintenance-plan", json={"every_loans": 1, "task": "Nettoyer"})
    await lend_and_return(staff, unit, condition="ok")  # due now, but this plan does not refuse
    assert (await booking_row(booked["id"]))["tag"] == unit
    plan = await staff.put(f"/api/resources/{unit}/maintenance-plan",
                           json={"every_loans": 1, "task": "Nettoyer", "refuse_when_overdue": True})
    assert [b["id"] for b in plan.json()["item_bookings"]["moved"]] == [booked["id"]]


async def test_the_periodic_check_moves_bookings_of_a_plan_counted_in_days(learner, staff):
    from fablab.maintenance.service import withdraw_all_overdue

    booked = await book_wednesday(learner)
    unit = booked["resource"]
    await staff.put(f"/api/resources/{unit}/maintenance-plan",
                    json={"every_days": 1, "task": "Vérifier la batterie", "refuse_when_overdue": True})
    assert await withdraw_all_overdue() == 0  # set just now: not due
    assert await withdraw_all_overdue(datetime.now(timezone.utc) + timedelta(days=1, hours=1)) == 1
    assert (await booking_row(booked["id"]))["moved_from"] == unit


# -------------------------------------------------------------------------------------------
# Concurrency: moves never double-book


async def overlapping_active_pairs() -> int:
    return await db.fetchval(
        "SELECT count(*) FROM booking a JOIN booking b ON a.resource_id = b.resource_id AND a.id < b.id "
        "AND tstzrange(a.starts_at, a.blocked_until, '[)') && tstzrange(b.starts_at, b.blocked_until, '[)') "
        "WHERE a.status IN ('confirmed', 'checked_out') AND b.status IN ('confirmed', 'checked_out')")


async def test_a_unit_being_changed_meanwhile_is_passed_over(learner, staff, database_url):
    """The only other free laptop's row is held by another transaction (a desk lending it): the
    move does not wait for it (SKIP LOCKED), so the booking is withdrawn, not double-booked."""
    booked = await book_wednesday(learner)
    unit = booked["resource"]
    await only_laptop_left(unit)
    other = "VLG-LAP-012" if unit != "VLG-LAP-012" else "VLG-LAP-011"
    await db.fetch("UPDATE resource SET status = 'available' WHERE tag = $1", other)
    desk = await asyncpg.connect(database_url)  # another connection: another transaction
    try:
        async with desk.transaction():
            await desk.execute("SELECT 1 FROM resource WHERE tag = $1 FOR NO KEY UPDATE", other)
            changed = await asyncio.wait_for(change_status(staff, unit, "maintenance"), timeout=30)
    finally:
        await desk.close()
    assert [b["id"] for b in changed["item_bookings"]["withdrawn"]] == [booked["id"]]


async def test_moves_racing_bookings_by_kind_never_double_book(learner, staff, app):
    """Three laptops free; the damaged unit's booking moves while other learners book by kind the
    same day: every booking ends up on its own unit, or is refused or withdrawn."""
    from tests.support.clients import make_client, sign_in

    booked = await book_wednesday(learner)
    unit = booked["resource"]
    await only_laptop_left(unit)
    await db.fetch("UPDATE resource SET status = 'available' WHERE tag IN ('VLG-LAP-010', 'VLG-LAP-011', "
                   "'VLG-LAP-012') AND tag <> $1", unit)
    due = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
    assert (await staff.post("/api/checkouts", json={"tag": unit, "user": "learner2", "due_at": due})).status_code == 201
    clients = [await sign_in(make_client(app), f"learner{n}") for n in range(3, 8)]
    try:
        results = await asyncio.gather(
            staff.post("/api/checkins", json={"tag": unit, "condition": "damaged"}),
            *(client.post("/api/bookings", json={"site": "vlg", "kind": "laptop", "starts_at": wednesday(9),
                                                 "ends_at": wednesday(18)}) for client in clients))
    finally:
        for client in clients:
            await client.aclose()
    assert results[0].status_code == 200, results[0].text
    assert {r.status_code for r in results[1:]} <= {201, 409}
    assert await overlapping_active_pairs() == 0
    active = await db.fetchval("SELECT count(*) FROM booking WHERE status = 'confirmed' AND starts_at = $1",
                               datetime.fromisoformat(wednesday(9)))
    assert active <= 3
