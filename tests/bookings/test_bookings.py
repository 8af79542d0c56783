"""The booking API: every refusal code, back-to-back bookings, bad inputs, IDOR, cancel, no-shows."""

import asyncio
from datetime import date, datetime, time, timedelta, timezone

import pytest

from fablab.platform import db
from fablab.platform.db import DB
from fablab.bookings import create, no_shows
from tests.support.bookings import DAY, PARIS, assert_problem, at, book, future_weekday, ordinary_day_after

pytestmark = pytest.mark.pg_engine


async def count_bookings() -> int:
    return await db.fetchval("SELECT count(*) FROM booking")


# --- creating ---------------------------------------------------------------------------------

async def test_book_a_room_and_read_it_back(learner):
    response = await book(learner, purpose="Révisions")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["resource"] == "VLG-ROOM-001" and body["site"] == "vlg" and body["kind"] == "room"
    assert body["user"]["login"] == "learner1" and body["status"] == "confirmed" and body["sequence"] == 0
    assert body["purpose"] == "Révisions"
    assert datetime.fromisoformat(body["starts_at"]) == datetime.fromisoformat(at(10))
    again = await learner.get(f"/api/bookings/{body['id']}")
    assert again.status_code == 200 and again.json()["id"] == body["id"]


async def test_back_to_back_is_accepted_overlap_is_a_conflict(learner, other_learner):
    assert (await book(learner, start=(10, 0), end=(12, 0))).status_code == 201
    assert (await book(other_learner, start=(12, 0), end=(14, 0))).status_code == 201
    assert (await book(other_learner, start=(8 + 1, 0), end=(10, 0))).status_code == 201
    clash = await book(other_learner, start=(11, 30), end=(12, 30))
    assert_problem(clash, 409, "booking_conflict")
    assert await count_bookings() == 3


async def test_printer_buffer_blocks_the_next_quarter_hour(staff):
    # Staff book for trained learner3 and learner6; printers have a 15-minute buffer after each print.
    first = await book(staff, "VLG-P3D-001", (10, 0), (12, 0), user="learner3")
    assert first.status_code == 201, first.text
    assert_problem(await book(staff, "VLG-P3D-001", (12, 0), (13, 0), user="learner6"), 409, "booking_conflict")
    assert (await book(staff, "VLG-P3D-001", (12, 30), (13, 0), user="learner6")).status_code == 201


# --- each refusal code --------------------------------------------------------------------------

async def test_opening_hours_closures_alignment_and_lengths(learner, admin):
    assert_problem(await book(learner, start=(17, 30), end=(18, 30)), 422, "outside_opening_hours")
    assert_problem(await book(learner, start=(8, 0), end=(9, 0)), 422, "outside_opening_hours")
    assert_problem(await book(learner, start=(10, 10), end=(11, 0)), 422, "misaligned")
    assert_problem(await book(learner, start=(9, 0), end=(13, 30)), 422, "too_long")
    saturday = DAY + timedelta(days=5 - DAY.weekday())
    assert_problem(await book(learner, start=(10, 0), end=(11, 0), day=saturday), 422, "closed_day")
    closure = await admin.post("/api/sites/vlg/closures", json={
        "starts_on": DAY.isoformat(), "ends_on": DAY.isoformat(), "reason": "Inventaire"})
    assert closure.status_code == 201, closure.text
    assert_problem(await book(learner), 422, "closed_day")
    policy = await admin.put("/api/policies/vlg/room", json={
        "unit": "minutes", "slot_minutes": 30, "min_length": 60, "max_length": 240})
    assert policy.status_code == 200, policy.text
    assert_problem(await book(learner, start=(10, 0), end=(10, 30), day=ordinary_day_after(DAY)), 422, "too_short")
    assert await count_bookings() == 0


async def test_lead_time(learner):
    today = datetime.now(PARIS).date()
    yesterday = today - timedelta(days=1)
    assert_problem(await book(learner, start=(10, 0), end=(11, 0), day=yesterday), 422, "in_the_past")
    far = future_weekday(min_days=15, max_days=25)
    assert_problem(await book(learner, start=(10, 0), end=(11, 0), day=far), 422, "too_far_ahead")


async def test_training_required_for_printers(learner, app):
    assert_problem(await book(learner, "VLG-P3D-001", (10, 0), (12, 0)), 422, "training_required")
    from tests.support.clients import make_client, sign_in
    async with make_client(app) as client:
        trained = await sign_in(client, "learner3")
        assert (await book(trained, "VLG-P3D-001", (10, 0), (12, 0))).status_code == 201


async def test_quota_of_active_bookings(learner):
    for hour in (9, 11, 13):
        assert (await book(learner, start=(hour, 0), end=(hour + 1, 0))).status_code == 201
    assert_problem(await book(learner, start=(15, 0), end=(16, 0)), 422, "quota_exceeded")
    assert await count_bookings() == 3


async def test_quota_of_hours_per_week(learner):
    # Rooms: 12 h a week and 3 active bookings. Returned bookings still count towards the hours.
    for tag in ("VLG-ROOM-001", "VLG-ROOM-002", "VLG-ROOM-003"):
        assert (await book(learner, tag, start=(9, 0), end=(13, 0))).status_code == 201
    await db.fetch("UPDATE booking SET status = 'returned', checked_out_at = starts_at, returned_at = ends_at, "
                   "sequence = sequence + 1, updated_at = now() "
                   "WHERE resource_id = (SELECT id FROM resource WHERE tag = 'VLG-ROOM-003')")
    refused = await book(learner, "VLG-ROOM-003", start=(14, 0), end=(14, 30))
    assert_problem(refused, 422, "quota_exceeded")
    assert refused.json()["quota"] == "max_hours_per_week"


async def test_unavailable_resource(learner):
    await db.fetch("UPDATE resource SET status = 'maintenance' WHERE tag = 'VLG-ROOM-002'")
    assert_problem(await book(learner, "VLG-ROOM-002"), 422, "resource_unavailable")


async def test_staff_may_override_the_policy_learners_may_not(staff, learner):
    early = await book(staff, start=(7, 0), end=(8, 0), user="learner1")
    assert_problem(early, 422, "outside_opening_hours")
    forced = await book(staff, start=(7, 0), end=(8, 0), user="learner1", override_policy=True)
    assert forced.status_code == 201 and forced.json()["user"]["login"] == "learner1"
    # The override never passes the no-overlap rule.
    assert_problem(await book(staff, start=(7, 30), end=(8, 0), user="learner2", override_policy=True),
                   409, "booking_conflict")
    assert_problem(await book(learner, start=(7, 0), end=(8, 0), override_policy=True), 403, "override_not_allowed")
    assert_problem(await book(learner, user="learner2"), 403, "not_allowed_for_others")
    assert await count_bookings() == 1


# --- bad inputs -------------------------------------------------------------------------------

async def test_bad_inputs_are_4xx_problems_and_change_nothing(learner):
    assert_problem(await book(learner, start=(11, 0), end=(10, 0)), 400, "ends_before_start")
    naive = await learner.post("/api/bookings", json={
        "resource": "VLG-ROOM-001", "starts_at": f"{DAY}T10:00:00", "ends_at": f"{DAY}T11:00:00"})
    assert_problem(naive, 400, "naive_timestamp")
    assert_problem(await book(learner, "VLG-ROOM-999"), 404, "unknown_tag")
    assert_problem(await book(learner, None, site="vlg", kind="drone"), 400, "unknown_kind")
    assert_problem(await book(learner, None, site="nowhere", kind="room"), 404, "unknown_site")
    assert_problem(await book(learner, None), 400, "resource_required")
    assert_problem(await book(learner, site="vlg", kind="room"), 400, "resource_or_kind")
    assert_problem(await book(learner, unexpected="x"), 400, "invalid_input")
    assert_problem(await book(learner, user="nobody"), 404, "unknown_user")
    garbled = await learner.post("/api/bookings", content=b'{"resource": "VLG-ROOM-001", "starts_at": ',
                                 headers={"content-type": "application/json"})
    assert garbled.status_code == 400 and garbled.json()["code"]
    not_a_time = await learner.post("/api/bookings", json={"resource": "VLG-ROOM-001", "starts_at": "demain",
                                                           "ends_at": at(11)})
    assert_problem(not_a_time, 400, "invalid_input")
    huge = await learner.post("/api/bookings", content=b'{"purpose": "' + b"x" * (7 * 1024 * 1024) + b'"}',
                              headers={"content-type": "application/json"})
    assert huge.status_code == 413 and huge.json()["code"] == "body_too_large"
    assert await count_bookings() == 0


async def test_anonymous_cannot_book(anon):
    assert_problem(await book(anon), 401, "not_authenticated")


# --- by kind ------------------------------------------------------------------------------------

async def test_book_by_kind_picks_a_free_unit_then_runs_out(staff):
    laptops = set()
    for n in range(1, 13):
        response = await book(staff, None, (9, 0), (18, 0), site="vlg", kind="laptop", user=f"learner{(n % 10) + 1}"
                              if n <= 10 else "staff.vlg")
        assert response.status_code == 201, response.text
        laptops.add(response.json()["resource"])
    assert len(laptops) == 12
    assert_problem(await book(staff, None, (9, 0), (18, 0), site="vlg", kind="laptop", user="staff.vlg"),
                   409, "booking_conflict")


async def test_book_by_kind_prefers_the_least_used_unit(staff):
    # Every room but ROOM-003 was used recently: the server hands out ROOM-003.
    for tag in ("VLG-ROOM-001", "VLG-ROOM-002"):
        await db.fetch(
            "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, status, "
            "checked_out_at, returned_at) SELECT id, site_id, kind, NULL, now() - interval '3 days', "
            "now() - interval '3 days' + interval '1 hour', now() - interval '3 days' + interval '1 hour', "
            "'returned', now() - interval '3 days', now() - interval '3 days' + interval '1 hour' "
            "FROM resource WHERE tag = $1", tag)
    response = await book(staff, None, (10, 0), (11, 0), site="vlg", kind="room", user="learner1")
    assert response.status_code == 201 and response.json()["resource"] == "VLG-ROOM-003"


async def test_laptop_by_the_day(learner):
    response = await book(learner, "VLG-LAP-001", (9, 0), (18, 0))
    assert response.status_code == 201, response.text
    assert_problem(await book(learner, "VLG-LAP-002", (10, 0), (18, 0)), 422, "misaligned")


# --- reading, IDOR, cancelling ----------------------------------------------------------------------

async def test_other_learners_bookings_are_invisible_and_untouchable(learner, other_learner, staff):
    booking = (await book(learner)).json()
    assert_problem(await other_learner.get(f"/api/bookings/{booking['id']}"), 404, "unknown_booking")
    assert_problem(await other_learner.post(f"/api/bookings/{booking['id']}/cancel"), 404, "unknown_booking")
    assert_problem(await other_learner.get("/api/bookings/999999"), 404, "unknown_booking")
    row = await db.fetchone("SELECT status, sequence FROM booking WHERE id = $1", booking["id"])
    assert row == {"status": "confirmed", "sequence": 0}
    # learner2's lists never show it, even when asking for the site.
    assert (await other_learner.get("/api/bookings", params={"mine": "true"})).json() == []
    assert (await other_learner.get("/api/bookings", params={"site": "vlg"})).json() == []
    assert (await staff.get(f"/api/bookings/{booking['id']}")).status_code == 200


async def test_lists_mine_and_by_site(learner, staff):
    await book(learner, start=(9, 0), end=(10, 0))
    await book(learner, "VLG-ROOM-002", start=(14, 0), end=(15, 0))
    mine = (await learner.get("/api/bookings", params={"mine": "true"})).json()
    assert [b["resource"] for b in mine] == ["VLG-ROOM-001", "VLG-ROOM-002"]
    site = await staff.get("/api/bookings", params={"site": "vlg", "from": DAY.isoformat(),
                                                    "to": (DAY + timedelta(days=1)).isoformat()})
    assert site.status_code == 200 and len(site.json()) == 2 and site.json()[0]["user"]["login"] == "learner1"
    assert_problem(await staff.get("/api/bookings", params={"site": "pan"}), 403, "not_your_site")
    assert_problem(await staff.get("/api/bookings", params={"site": "vlg", "from": "hier"}), 400, "invalid_date")
    assert_problem(await staff.get("/api/bookings", params={"site": "vlg", "from": "2026-03-02",
                                                            "to": "2026-03-01"}), 400, "invalid_dates")


async def test_cancel_rules(learner, staff):
    booking = (await book(learner)).json()
    cancelled = await learner.post(f"/api/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["sequence"] == 1 and cancelled.json()["cancelled_at"]
    assert_problem(await learner.post(f"/api/bookings/{booking['id']}/cancel"), 409, "not_cancellable")
    # The slot is free again.
    assert (await book(learner)).status_code == 201

    started = await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until) "
        "SELECT r.id, r.site_id, r.kind, u.id, now() - interval '5 minutes', now() + interval '1 hour', "
        "now() + interval '1 hour' FROM resource r, app_user u WHERE r.tag = 'VLG-ROOM-003' AND u.login = 'learner1' "
        "RETURNING id")
    assert_problem(await learner.post(f"/api/bookings/{started}/cancel"), 409, "already_started")
    assert (await staff.post(f"/api/bookings/{started}/cancel")).json()["status"] == "cancelled"
    await db.fetch("UPDATE booking SET status = 'checked_out', checked_out_at = now(), sequence = sequence + 1, "
                   "updated_at = now() WHERE id = $1", (await book(learner, start=(15, 0), end=(16, 0))).json()["id"])
    checked_out = await db.fetchval("SELECT id FROM booking WHERE status = 'checked_out'")
    assert_problem(await staff.post(f"/api/bookings/{checked_out}/cancel"), 409, "not_cancellable")


# --- no-shows -------------------------------------------------------------------------------------

async def _stale_booking(grace_passed: bool) -> int:
    # Rooms have a 15-minute grace: 20 minutes after the start without a check-out is a no-show.
    minutes = 20 if grace_passed else 5
    return await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until) "
        "SELECT r.id, r.site_id, r.kind, u.id, now() - make_interval(mins => $1), now() + interval '1 hour', "
        "now() + interval '1 hour' FROM resource r, app_user u WHERE r.tag = 'VLG-ROOM-001' AND u.login = 'learner1' "
        "RETURNING id", minutes)


async def test_no_show_is_released_lazily_on_read(learner):
    stale = await _stale_booking(grace_passed=True)
    today = datetime.now(PARIS).date().isoformat()
    response = await learner.get("/api/availability", params={"site": "vlg", "kind": "room", "date": today})
    assert response.status_code == 200
    row = await db.fetchone("SELECT status, sequence, no_show_at FROM booking WHERE id = $1", stale)
    assert row["status"] == "no_show" and row["sequence"] == 1 and row["no_show_at"] is not None


async def test_no_show_job_releases_only_bookings_past_their_grace(demo):
    stale = await _stale_booking(grace_passed=True)
    await db.fetch("UPDATE booking SET resource_id = (SELECT id FROM resource WHERE tag = 'VLG-ROOM-002') "
                   "WHERE id = $1", stale)
    fresh = await _stale_booking(grace_passed=False)
    assert await no_shows.expire_no_shows() == 1
    statuses = {row["id"]: row["status"] for row in await db.fetch("SELECT id, status FROM booking")}
    assert statuses == {stale: "no_show", fresh: "confirmed"}
    assert await no_shows.expire_no_shows() == 0


async def test_a_sweep_leaves_a_booking_another_transaction_holds(demo):
    # A desk checking the booking out holds its row: the sweep must neither wait for it nor take
    # it (two sweeps waiting on each other's rows were a deadlock under load).
    stale = await _stale_booking(grace_passed=True)
    held, release = asyncio.Event(), asyncio.Event()

    async def desk():
        async with DB.transaction():
            await db.fetch("SELECT id FROM booking WHERE id = $1 FOR NO KEY UPDATE", stale)
            held.set()
            await release.wait()

    task = asyncio.create_task(desk())
    await held.wait()
    try:
        swept = await asyncio.wait_for(no_shows.expire_no_shows(), timeout=5)
    finally:
        release.set()
        await task
    assert swept == 0
    assert await no_shows.expire_no_shows() == 1


async def test_a_desk_holding_the_items_does_not_block_booking_any_unit(learner):
    # A booking for "any room" inserts without locking the unit first; the desk's row lock on that
    # unit (check-out, check-in) must not block the insert's foreign-key check, or a desk waiting
    # for a booking row the sweep holds and that sweep's insert wait on each other: a deadlock
    # seen under load.
    from fablab.inventory import queries as inventory_queries

    rooms = [row["tag"] for row in await db.fetch(
        "SELECT r.tag FROM resource r JOIN site s ON s.id = r.site_id WHERE s.slug = 'vlg' AND r.kind = 'room'")]
    held, release = asyncio.Event(), asyncio.Event()

    async def desk():
        async with DB.transaction():
            for tag in rooms:
                await inventory_queries.resource_by_tag(tag, for_update=True)
            held.set()
            await release.wait()

    task = asyncio.create_task(desk())
    await held.wait()
    try:
        response = await asyncio.wait_for(book(learner, resource=None, site="vlg", kind="room"), timeout=5)
    finally:
        release.set()
        await task
    assert response.status_code == 201, response.text


def test_no_show_job_is_registered():
    from fablab.bookings.routes import JOBS
    assert [(job.name, job.every_seconds) for job in JOBS] == [("booking-no-shows", 60)]


# --- availability --------------------------------------------------------------------------------

async def test_availability_shows_free_intervals_and_counts(learner, other_learner):
    await book(learner, start=(10, 0), end=(12, 0))
    await book(other_learner, "VLG-ROOM-002", start=(11, 0), end=(12, 0))
    response = await learner.get("/api/availability", params={"site": "vlg", "kind": "room", "date": DAY.isoformat()})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["closed"] is False and body["policy"]["slot_minutes"] == 30
    room1 = next(r for r in body["resources"] if r["tag"] == "VLG-ROOM-001")
    assert [(datetime.fromisoformat(f["starts_at"]), datetime.fromisoformat(f["ends_at"])) for f in room1["free"]] == [
        (datetime.fromisoformat(at(9)), datetime.fromisoformat(at(10))),
        (datetime.fromisoformat(at(12)), datetime.fromisoformat(at(18)))]
    free = {datetime.fromisoformat(s["starts_at"]).astimezone(PARIS).strftime("%H:%M"): s["free"] for s in body["slots"]}
    assert free["09:00"] == 3 and free["10:00"] == 2 and free["11:00"] == 1 and free["12:00"] == 3
    assert len(free) == 18
    # No names of who booked: learners see others' bookings only as busy time.
    assert "learner" not in response.text


async def test_availability_of_a_closed_day_and_bad_queries(learner, anon):
    saturday = DAY + timedelta(days=5 - DAY.weekday())
    body = (await learner.get("/api/availability", params={"site": "vlg", "kind": "laptop",
                                                           "date": saturday.isoformat()})).json()
    assert body["closed"] is True and body["slots"] == [] and all(r["free"] == [] for r in body["resources"])
    assert_problem(await learner.get("/api/availability", params={"site": "vlg", "kind": "drone", "date": "2026-06-09"}),
                   400, "unknown_kind")
    assert_problem(await learner.get("/api/availability", params={"site": "vlg", "kind": "room", "date": "9 juin"}),
                   400, "invalid_date")
    assert_problem(await learner.get("/api/availability", params={"site": "zzz", "kind": "room", "date": "2026-06-09"}),
                   404, "unknown_site")
    assert (await learner.get("/api/availability", params={"site": "vlg"})).status_code == 400
    assert (await anon.get("/api/availability", params={"site": "vlg", "kind": "room", "date": "2026-06-09"})).status_code == 401


# --- the export the inventory desk uses ------------------------------------------------------------

async def test_policy_for_resource_and_walk_up_due(demo):
    resource_id = await db.fetchval("SELECT id FROM resource WHERE tag = 'VLG-P3D-001'")
    policy = await create.policy_for_resource(resource_id)
    assert (policy.unit, policy.slot_minutes, policy.max_length, policy.buffer_minutes) == ("minutes", 30, 720, 15)
    assert policy.training_id is not None
    laptop = await create.policy_for_resource(await db.fetchval("SELECT id FROM resource WHERE tag = 'VLG-LAP-001'"))
    assert laptop.unit == "days" and laptop.checkout_grace_minutes == 120


@pytest.mark.parametrize("tag", ["VLG-ROOM-001"])
async def test_create_booking_service_by_id(demo, tag):
    from fablab.accounts.current import CurrentUser
    staff_row = await db.fetchone("SELECT id, site_id FROM app_user WHERE login = 'staff.vlg'")
    actor = CurrentUser(id=staff_row["id"], login="staff.vlg", name="Staff", role="staff",
                        site_id=staff_row["site_id"], site="vlg", session_id=0,
                        site_ids=frozenset({staff_row["site_id"]}))
    learner_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner5'")
    start = datetime.combine(DAY, time(10), PARIS)
    booking = await create.create_booking(
        actor=actor, user_id=learner_id, starts_at=start, ends_at=start + timedelta(hours=1),
        resource_id=await db.fetchval("SELECT id FROM resource WHERE tag = $1", tag), purpose="Prêt au comptoir")
    assert booking.resource == tag and booking.user.login == "learner5"
    assert booking.starts_at == start.astimezone(timezone.utc)


def _soon(minutes: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(minutes=minutes)).isoformat()


async def test_a_booking_over_an_overdue_no_show_releases_it_and_goes_through(staff):
    stale = await _stale_booking(grace_passed=True)
    response = await staff.post("/api/bookings", json={
        "resource": "VLG-ROOM-001", "user": "learner2", "starts_at": _soon(1), "ends_at": _soon(31),
        "override_policy": True})
    assert response.status_code == 201, response.text
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", stale) == "no_show"


async def test_a_booking_over_a_no_show_still_in_its_grace_is_a_conflict(staff):
    waited_for = await _stale_booking(grace_passed=False)
    response = await staff.post("/api/bookings", json={
        "resource": "VLG-ROOM-001", "user": "learner2", "starts_at": _soon(1), "ends_at": _soon(31),
        "override_policy": True})
    assert_problem(response, 409, "booking_conflict")
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", waited_for) == "confirmed"


async def test_a_walk_up_over_an_overdue_no_show_releases_it(staff):
    # The walk-up books inside the desk's transaction: no second try there, so it releases first.
    stale = await _stale_booking(grace_passed=True)
    response = await staff.post("/api/checkouts", json={"tag": "VLG-ROOM-001", "user": "learner2",
                                                         "due_at": _soon(45)})
    assert response.status_code == 201, response.text
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", stale) == "no_show"


async def test_quota_binds_a_booking_by_kind_too(learner):
    for hour in (9, 11, 13):
        assert (await book(learner, start=(hour, 0), end=(hour + 1, 0))).status_code == 201
    response = await learner.post("/api/bookings", json={"site": "vlg", "kind": "room", "starts_at": at(15),
                                                         "ends_at": at(16)})
    assert_problem(response, 422, "quota_exceeded")
    assert await count_bookings() == 3
