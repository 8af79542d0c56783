"""Issue 16 §1 and §6: staff act on their own sites, in the name of learners only; bookings and
the waitlist refuse what no rule allows; retired and lost items let their learners know."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from fablab.platform import db
from fablab.sites.calendar import holiday_dates
from fablab.reports import reminders
from tests.support.clients import make_client, sign_in

PARIS = ZoneInfo("Europe/Paris")


def open_day(after: int = 2) -> date:
    day = datetime.now(PARIS).date() + timedelta(days=after)
    while day.weekday() >= 5 or day in holiday_dates([day.year, day.year + 1]):
        day += timedelta(days=1)
    return day


def at(day: date, hh: int, mm: int = 0) -> str:
    return datetime.combine(day, time(hh, mm), PARIS).isoformat()


def problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code, response.json()


async def uid(login: str) -> int:
    return await db.fetchval("SELECT id FROM app_user WHERE login = $1", login)


@pytest.fixture
async def staff_pfs(app, demo):
    async with make_client(app) as client:
        yield await sign_in(client, "staff.pfs")


async def booking_of(learner, tag: str, day: date, hh: int = 10) -> dict:
    response = await learner.post("/api/bookings", json={"resource": tag, "starts_at": at(day, hh),
                                                         "ends_at": at(day, hh + 1)})
    assert response.status_code == 201, response.text
    return response.json()


# --- the reproductions of issue 16 §1 -------------------------------------------------------

async def test_staff_of_another_site_cannot_cancel_move_or_lend(staff_pfs, learner):
    day = open_day()
    booked = await booking_of(learner, "VLG-ROOM-001", day)
    # Another site's booking answers as one that does not exist (issue 26).
    problem(await staff_pfs.post(f"/api/bookings/{booked['id']}/cancel"), 404, "unknown_booking")
    problem(await staff_pfs.patch(f"/api/bookings/{booked['id']}", json={"starts_at": at(day, 14),
                                                                        "ends_at": at(day, 15)}), 404, "unknown_booking")
    assert (await learner.get(f"/api/bookings/{booked['id']}")).json()["starts_at"] == booked["starts_at"]
    lent = await staff_pfs.post("/api/checkouts", json={"tag": "VLG-LAP-001", "user": "learner11",
                                                        "due_at": at(day, 17)})
    problem(lent, 403, "not_your_site")
    problem(await staff_pfs.patch("/api/resources/VLG-LAP-002", json={"status": "lost"}), 403, "not_your_site")
    problem(await staff_pfs.post("/api/resources", json={"site": "vlg", "kind": "room", "name": "Salle X"}),
            403, "not_your_site")
    problem(await staff_pfs.post("/api/audits", json={"site": "vlg"}), 403, "not_your_site")
    for path in ("/api/users?site=vlg", "/api/users/export.csv?site=vlg", "/api/movements?site=vlg",
                 "/api/resources/VLG-LAP-001/holders"):
        problem(await staff_pfs.get(path), 403, "not_your_site")
    assert await db.fetchval("SELECT count(*) FROM booking WHERE status = 'checked_out'") == 0
    assert await db.fetchval("SELECT count(*) FROM resource WHERE status <> 'available'") == 0


async def test_staff_lend_their_items_to_learners_of_their_sites_only(staff_pfs):
    due = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
    problem(await staff_pfs.post("/api/checkouts", json={"tag": "PFS-LAP-001", "user": "learner1", "due_at": due}),
            404, "unknown_user")  # another site's learner answers as an unknown login (issue 26)
    problem(await staff_pfs.post("/api/checkouts", json={"tag": "PFS-LAP-001", "user": "staff.vlg", "due_at": due}),
            403, "not_a_learner")
    lent = await staff_pfs.post("/api/checkouts", json={"tag": "PFS-LAP-001", "user": "learner11", "due_at": due})
    assert lent.status_code == 201, lent.text


@pytest.mark.parametrize("user", ["admin", "staff.vlg", "staff.pfs"])
async def test_staff_never_book_in_the_name_of_staff_or_admins(staff_pfs, user):
    day = open_day()
    body = {"resource": "PFS-ROOM-001", "starts_at": at(day, 10), "ends_at": at(day, 11), "user": user}
    response = await staff_pfs.post("/api/bookings", json=body)
    if user == "staff.pfs":  # oneself is fine
        assert response.status_code == 201, response.text
        return
    problem(response, 403, "not_a_learner")
    past = {**body, "starts_at": at(day - timedelta(days=7), 10), "ends_at": at(day - timedelta(days=7), 11),
            "override_policy": True}
    assert (await staff_pfs.post("/api/bookings", json=past)).status_code in (403, 422)
    assert await db.fetchval("SELECT count(*) FROM booking") == 0


async def test_staff_book_for_themselves_anywhere_within_the_rules_only(staff_pfs):
    """Booking for oneself within the rules is what any learner may do, at any site; past the rules
    (or for someone else) it is desk work, on one's own sites."""
    day = open_day()
    mine = {"resource": "VLG-ROOM-002", "starts_at": at(day, 10), "ends_at": at(day, 11)}
    assert (await staff_pfs.post("/api/bookings", json=mine)).status_code == 201
    override = {**mine, "starts_at": at(day, 12), "ends_at": at(day, 13, 10), "override_policy": True}
    problem(await staff_pfs.post("/api/bookings", json=override), 403, "not_your_site")
    problem(await staff_pfs.post("/api/bookings", json={**mine, "resource": "VLG-ROOM-003", "user": "learner1"}),
            404, "unknown_user")


async def test_overrides_stay_within_bounds(staff):
    day = open_day()
    base = {"resource": "VLG-ROOM-001", "user": "learner1", "override_policy": True}
    past = datetime.now(PARIS) - timedelta(days=1)
    problem(await staff.post("/api/bookings", json={**base, "starts_at": past.isoformat(),
                                                    "ends_at": (past + timedelta(hours=1)).isoformat()}),
            422, "in_the_past")
    # Within the dates the parser takes (up to 2100), the override's own bounds refuse the rest.
    problem(await staff.post("/api/bookings", json={**base, "starts_at": at(day, 10), "ends_at": "2099-01-01T10:00:00+01:00"}),
            422, "too_long")
    problem(await staff.post("/api/bookings", json={**base, "starts_at": "2099-01-01T10:00:00+01:00",
                                                    "ends_at": "2099-01-01T11:00:00+01:00"}), 422, "too_far_ahead")
    # The room until the year 3026 of the report: refused by the one date parser before any rule.
    problem(await staff.post("/api/bookings", json={**base, "starts_at": at(day, 10), "ends_at": "3026-01-01T10:00:00+01:00"}),
            400, "date_out_of_range")
    # Past the rules (misaligned, over the room's 4 hours) but within bounds: the override's purpose.
    ok = await staff.post("/api/bookings", json={**base, "starts_at": at(day, 9, 10), "ends_at": at(day, 17, 50)})
    assert ok.status_code == 201, ok.text
    assert await db.fetchval("SELECT count(*) FROM booking") == 1


# --- PATCH /api/bookings/{id}: the checks of a creation (§6) ---------------------------------

@pytest.mark.parametrize("starts_at, ends_at, status, code", [
    ("2026-12-10T10:00:00", "2026-12-10T11:00:00", 400, "naive_timestamp"),
    ("2026-12-10T10:00:00+01:00", "2026-12-10T11:00:00", 400, "naive_timestamp"),  # was a TypeError (500)
    ("2020-01-06T10:00:00+01:00", "2020-01-06T11:00:00+01:00", 422, "in_the_past"),
    ("2099-12-30T10:00:00+01:00", "2099-12-30T11:00:00+01:00", 422, "too_far_ahead"),
    ("9999-12-30T10:00:00+01:00", "9999-12-30T11:00:00+01:00", 400, "date_out_of_range"),
])
async def test_moving_a_booking_checks_the_new_times(staff, learner, starts_at, ends_at, status, code):
    booked = await booking_of(learner, "VLG-ROOM-001", open_day())
    problem(await staff.patch(f"/api/bookings/{booked['id']}", json={"starts_at": starts_at, "ends_at": ends_at}),
            status, code)
    override = await staff.patch(f"/api/bookings/{booked['id']}",
                                 json={"starts_at": starts_at, "ends_at": ends_at, "override_policy": True})
    problem(override, status, code)
    assert (await learner.get(f"/api/bookings/{booked['id']}")).json()["starts_at"] == booked["starts_at"]


async def test_moving_a_booking_follows_the_rules_unless_overridden(staff, learner):
    day = open_day()
    booked = await booking_of(learner, "VLG-ROOM-001", day)
    problem(await staff.patch(f"/api/bookings/{booked['id']}", json={"starts_at": at(day, 19), "ends_at": at(day, 20)}),
            422, "outside_opening_hours")
    problem(await staff.patch(f"/api/bookings/{booked['id']}", json={
        "starts_at": at(day, 10), "ends_at": "2099-01-01T10:00:00+01:00", "override_policy": True}), 422, "too_long")
    moved = await staff.patch(f"/api/bookings/{booked['id']}", json={"starts_at": at(day, 14), "ends_at": at(day, 15)})
    assert moved.status_code == 200, moved.text
    late = await staff.patch(f"/api/bookings/{booked['id']}", json={
        "starts_at": at(day, 17), "ends_at": at(day, 19), "override_policy": True})
    assert late.status_code == 200, late.text


# --- grants ---------------------------------------------------------------------------------

async def test_me_and_user_detail_name_the_sites(staff, admin, learner):
    assert (await staff.get("/api/me")).json()["sites"] == ["vlg"]
    assert (await admin.get("/api/me")).json()["sites"] == ["pan", "pfs", "vlg"]
    assert (await learner.get("/api/me")).json()["sites"] == []
    detail = (await admin.get(f"/api/users/{await uid('staff.pan')}")).json()
    assert detail["sites"] == ["pan"]


async def test_an_admin_grants_sites_and_the_session_follows_at_once(admin, staff_pfs):
    staff_id = await uid("staff.pfs")
    problem(await staff_pfs.get("/api/bookings?site=vlg"), 403, "not_your_site")
    granted = await admin.put(f"/api/users/{staff_id}/sites", json={"sites": ["pfs", "VLG"]})
    assert granted.status_code == 200, granted.text
    assert granted.json()["sites"] == ["pfs", "vlg"]
    # The same session, remembered by this worker a moment ago, has the new rights already.
    assert (await staff_pfs.get("/api/bookings?site=vlg")).status_code == 200
    assert (await staff_pfs.get("/api/me")).json()["sites"] == ["pfs", "vlg"]
    taken_back = await admin.put(f"/api/users/{staff_id}/sites", json={"sites": ["vlg"]})
    assert taken_back.json()["sites"] == ["vlg"]
    problem(await staff_pfs.get("/api/users?site=pfs"), 403, "not_your_site")


async def test_granting_sites_refuses_bad_input(admin, staff):
    staff_id, learner_id = await uid("staff.pfs"), await uid("learner1")
    # A site that does not exist is 404 wherever it is named (fablab/domain/codes.py).
    problem(await admin.put(f"/api/users/{staff_id}/sites", json={"sites": ["vlg", "nowhere"]}), 404, "unknown_site")
    problem(await admin.put(f"/api/users/{learner_id}/sites", json={"sites": ["vlg"]}), 400, "not_staff")
    problem(await admin.put("/api/users/987654/sites", json={"sites": ["vlg"]}), 404, "unknown_user")
    refused = await staff.put(f"/api/users/{staff_id}/sites", json={"sites": ["vlg"]})
    assert refused.status_code == 403 and refused.json()["required_role"] == "admin"
    assert (await admin.get(f"/api/users/{staff_id}")).json()["sites"] == ["pfs"]


async def test_a_new_staff_account_gets_its_home_site(admin):
    created = await admin.post("/api/users", json={"name": "Nouvelle équipe", "login": "staff.new", "role": "staff",
                                                   "site": "pan"})
    assert created.status_code == 201 and created.json()["user"]["sites"] == ["pan"]


async def test_grant_changes_notify_every_worker(database_url, demo):
    """The session cache listens on fablab_auth: a grant or a revocation must be heard there."""
    heard = []
    connection = await asyncpg.connect(database_url)
    try:
        await connection.add_listener("fablab_auth", lambda *args: heard.append(args[-1]))
        await db.fetch("INSERT INTO staff_site (user_id, site_id) SELECT u.id, s.id FROM app_user u, site s "
                       "WHERE u.login = 'staff.pfs' AND s.slug = 'vlg'")
        await db.fetch("DELETE FROM staff_site WHERE site_id = (SELECT id FROM site WHERE slug = 'vlg')")
        for _ in range(50):
            if len(heard) >= 2:
                break
            await connection.execute("SELECT 1")
        assert len(heard) >= 2
    finally:
        await connection.close()


# --- learners see what an item is, not its serial number nor staff notes (§6) ----------------

async def test_learners_do_not_see_notes_nor_serial_numbers(learner, staff, staff_pfs):
    await staff.patch("/api/resources/VLG-LAP-001", json={"notes": "Rayure sous le clavier, code BIOS 1234"})
    for client in (learner, staff_pfs):
        item = (await client.get("/api/resources/VLG-LAP-001")).json()
        assert item["notes"] == "" and "serial" not in item["details"]
        assert item["details"]["model"] == "Lenovo ThinkPad E14"
        listed = (await client.get("/api/resources", params={"site": "vlg", "kind": "laptop"})).json()
        assert all(row["notes"] == "" and "serial" not in row["details"] for row in listed)
        assert (await client.get("/api/resources", params={"q": "BIOS"})).json() == []
    item = (await staff.get("/api/resources/VLG-LAP-001")).json()
    assert item["notes"].startswith("Rayure") and item["details"]["serial"] == "PFVLG00001"
    assert [row["tag"] for row in (await staff.get("/api/resources", params={"q": "BIOS"})).json()] == ["VLG-LAP-001"]


# --- retiring or losing an item cancels its bookings to come and tells the learners (§6) -----

@pytest.mark.parametrize("status", ["retired", "lost"])
async def test_retiring_an_item_cancels_its_bookings_and_tells_the_learner(staff, learner, status):
    day = open_day()
    coming = await booking_of(learner, "VLG-ROOM-001", day)
    other_unit = await booking_of(learner, "VLG-ROOM-002", day, 14)
    await db.fetch("UPDATE app_user SET email = 'ines@example.org' WHERE login = 'learner1'")
    changed = await staff.patch("/api/resources/VLG-ROOM-001", json={"status": status})
    assert changed.status_code == 200, changed.text
    mine = {b["id"]: b for b in (await learner.get("/api/bookings", params={"mine": "true"})).json()}
    assert mine[coming["id"]]["status"] == "cancelled"
    assert mine[coming["id"]]["cancel_reason"] == f"resource_{status}"
    assert mine[other_unit["id"]]["status"] == "confirmed" and mine[other_unit["id"]]["cancel_reason"] is None
    # The reminders' mail path sends it once, like the others (sent-log).
    planned = [r for r in await reminders.plan(datetime.now(timezone.utc), datetime.now(timezone.utc))
               if r.kind == "booking_withdrawn"]
    assert [(r.booking["id"], r.recipient.email) for r in planned] == [(coming["id"], "ines@example.org")]
    pending = (await staff.get("/api/reminders/pending", params={"site": "vlg"})).json()["reminders"]
    assert any(r["kind"] == "booking_withdrawn" and r["booking_id"] == coming["id"] for r in pending)


async def test_a_withdrawn_booking_mail_says_why():
    from fablab.domain.reminder_types import Recipient, Reminder
    from fablab.reports.reminder_text import subject_and_body

    start = datetime(2026, 12, 8, 9, tzinfo=timezone.utc)
    booking = {"id": 1, "tag": "VLG-ROOM-001", "resource_name": "Salle Ada Lovelace", "site_name": "Villeneuve",
               "timezone": "Europe/Paris", "starts_at": start, "ends_at": start + timedelta(hours=1),
               "cancel_reason": "resource_lost"}
    subject, body = subject_and_body(Reminder("booking_withdrawn", booking, Recipient(1, "Inès", "learner", "i@x.org"),
                                              start, start))
    assert "annulée" in subject.lower() and "perdu" in body and "mardi 8 décembre à 10:00" in body


# --- the waitlist refuses at join what no offer could give (§6) ------------------------------

@pytest.mark.parametrize("status", ["lost", "retired"])
async def test_waitlist_refuses_a_lost_or_retired_unit(staff, learner, status):
    await staff.patch("/api/resources/VLG-ROOM-001", json={"status": status})
    day = open_day()
    problem(await learner.post("/api/waitlist", json={"site": "vlg", "kind": "room", "resource": "VLG-ROOM-001",
                                                      "starts_at": at(day, 10), "ends_at": at(day, 11)}),
            422, "resource_unavailable")


async def test_waitlist_refuses_a_kind_with_no_unit_left(staff, learner):
    for n in (1, 2):
        await staff.patch(f"/api/resources/VLG-P3D-00{n}", json={"status": "retired"})
    day = open_day()
    problem(await learner.post("/api/waitlist", json={"site": "vlg", "kind": "printer_3d", "starts_at": at(day, 10),
                                                      "ends_at": at(day, 11)}), 422, "resource_unavailable")


@pytest.mark.parametrize("start, end, code", [
    ((19, 0), (20, 0), "outside_opening_hours"),
    ((10, 10), (11, 10), "misaligned"),
    ((9, 0), (17, 0), "too_long"),
])
async def test_waitlist_refuses_slots_no_rule_allows(learner, start, end, code):
    day = open_day()
    response = await learner.post("/api/waitlist", json={"site": "vlg", "kind": "room", "starts_at": at(day, *start),
                                                         "ends_at": at(day, *end)})
    problem(response, 422, code)
    assert await db.fetchval("SELECT count(*) FROM waitlist_entry") == 0


async def test_waitlist_still_takes_a_wish_beyond_the_booking_horizon(learner, other_learner):
    """Bookings open 14 days ahead; a wish 20 days ahead waits for that day to come within reach."""
    day = open_day(20)
    response = await learner.post("/api/waitlist", json={"site": "vlg", "kind": "room", "resource": "VLG-ROOM-001",
                                                         "starts_at": at(day, 10), "ends_at": at(day, 11)})
    assert response.status_code == 201, response.text


async def test_a_staff_feed_dies_with_the_grant_of_its_site(staff, admin, anon):
    link = await staff.post("/api/me/staff-feed-token")
    assert link.status_code == 201, link.text
    path = "/cal/" + link.json()["https"].split("/cal/", 1)[1]
    assert (await anon.get(path)).status_code == 200
    await admin.put(f"/api/users/{await uid('staff.vlg')}/sites", json={"sites": ["pfs"]})
    assert (await anon.get(path)).status_code == 404
