"""The waitlist: first come first served, real bookings with every rule, refusals skip to the next."""

from datetime import datetime, time, timedelta, timezone

from fablab.platform import db
from fablab.waitlist import service as waitlist
from tests.support.bookings import DAY, PARIS, assert_problem
from tests.support.waitlist import at, entry_status, hold_all, join_for_laptop




async def test_a_cancellation_goes_to_the_first_in_line(learner, other_learner, staff):
    held = await hold_all("laptop", at(9), at(18))
    first = await join_for_laptop(learner)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "waiting" and first.json()["position"] == 1
    second = await join_for_laptop(other_learner)
    assert second.json()["position"] == 2
    assert datetime.fromisoformat(first.json()["starts_at"]) == at(9)
    assert datetime.fromisoformat(first.json()["ends_at"]) == at(18)
    assert_problem(await join_for_laptop(learner), 409, "already_waiting")

    assert (await staff.post(f"/api/bookings/{held[3]}/cancel")).status_code == 200

    got = await entry_status(first.json()["id"])
    assert got["status"] == "booked"
    booking = await db.fetchone("SELECT b.status, b.user_id, r.tag FROM booking b JOIN resource r ON r.id = b.resource_id "
                                "WHERE b.id = $1", got["booking_id"])
    assert booking["status"] == "confirmed" and booking["tag"] == "VLG-LAP-004"
    assert booking["user_id"] == await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    assert (await entry_status(second.json()["id"]))["status"] == "waiting"
    assert (await other_learner.get("/api/waitlist")).json()[0]["position"] == 1

    # The learner is told in the app until they have seen it.
    mine = (await learner.get("/api/waitlist")).json()
    assert [(e["status"], e["seen"], e["booking"]["resource"]) for e in mine] == [("booked", False, "VLG-LAP-004")]
    assert (await learner.post(f"/api/waitlist/{mine[0]['id']}/seen")).json()["seen"] is True


async def test_an_untrained_learner_is_skipped_and_stays(learner, staff, app):
    from tests.support.clients import make_client, sign_in

    held = await hold_all("printer_3d", at(10), at(12))
    untrained = await learner.post("/api/waitlist", json={"site": "vlg", "kind": "printer_3d",
                                                          "starts_at": at(10).isoformat(), "ends_at": at(12).isoformat()})
    assert untrained.status_code == 201 and untrained.json()["status"] == "waiting"
    async with make_client(app) as client:
        trained = await sign_in(client, "learner3")  # a third of the demo learners have the training
        queued = await trained.post("/api/waitlist", json={"site": "vlg", "kind": "printer_3d",
                                                           "starts_at": at(10).isoformat(), "ends_at": at(12).isoformat()})
    assert queued.json()["position"] == 2

    assert (await staff.post(f"/api/bookings/{held[0]}/cancel")).status_code == 200

    skipped = await entry_status(untrained.json()["id"])
    assert skipped["status"] == "waiting" and skipped["skip_reason"] == "training_required"
    served = await entry_status(queued.json()["id"])
    assert served["status"] == "booked"
    assert await db.fetchval("SELECT u.login FROM booking b JOIN app_user u ON u.id = b.user_id WHERE b.id = $1",
                             served["booking_id"]) == "learner3"
    # Still on the list, first in line for the next one.
    assert (await learner.get("/api/waitlist")).json()[0]["position"] == 1


async def test_joining_when_something_is_free_books_at_once(learner):
    response = await join_for_laptop(learner)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "booked" and response.json()["booking"]["kind"] == "laptop"


async def test_no_shows_and_past_wishes_are_handled_by_the_periodic_job(learner, other_learner):
    held = await hold_all("laptop", at(9), at(18))
    entry_id = (await join_for_laptop(learner)).json()["id"]
    # A lazy sweep (or staff) released one unit without offering it: the job does.
    await db.fetch("UPDATE booking SET status = 'no_show', no_show_at = now(), sequence = sequence + 1 WHERE id = $1",
                   held[0])
    assert await waitlist.offer_everything_free() == 1
    assert (await entry_status(entry_id))["status"] == "booked"

    late = (await join_for_laptop(other_learner)).json()["id"]
    assert await waitlist.offer_everything_free(now=at(9) + timedelta(minutes=1)) == 0
    assert (await entry_status(late))["status"] == "expired"


async def test_staff_see_promote_and_remove(learner, other_learner, staff):
    await hold_all("laptop", at(9), at(18))
    first = (await join_for_laptop(learner)).json()["id"]
    second = (await join_for_laptop(other_learner)).json()["id"]
    listed = await staff.get("/api/waitlist", params={"site": "vlg", "date": DAY.isoformat()})
    assert [(e["id"], e["position"], e["user"]["login"]) for e in listed.json()] == [
        (first, 1, "learner1"), (second, 2, "learner2")]

    # Nothing is free: promoting cannot conjure a laptop.
    assert_problem(await staff.post(f"/api/waitlist/{second}/promote"), 409, "booking_conflict")
    assert (await entry_status(second))["status"] == "waiting"

    # Another learner's entry does not exist for a learner.
    assert_problem(await learner.delete(f"/api/waitlist/{second}"), 404, "unknown_entry")
    assert all(e["user"]["login"] == "learner1" for e in (await learner.get("/api/waitlist")).json())
    assert (await staff.delete(f"/api/waitlist/{second}")).status_code == 204
    assert (await entry_status(second))["status"] == "removed"
    assert_problem(await staff.delete(f"/api/waitlist/{second}"), 409, "not_waiting")

    # A free room this time: staff promote the learner out of turn.
    room = await learner.post("/api/waitlist", json={"site": "vlg", "kind": "room", "resource": "VLG-ROOM-001",
                                                     "starts_at": at(14).isoformat(), "ends_at": at(15).isoformat()})
    assert room.json()["status"] == "booked"


async def test_bad_wishes_are_4xx_and_change_nothing(learner):
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    cases = [
        ({"site": "vlg", "kind": "laptop"}, 400, "date_required"),
        ({"site": "vlg", "kind": "boat", "date": DAY.isoformat()}, 400, "unknown_kind"),
        ({"site": "nowhere", "kind": "laptop", "date": DAY.isoformat()}, 404, "unknown_site"),
        ({"site": "vlg", "kind": "room", "starts_at": past.isoformat(),
          "ends_at": (past + timedelta(hours=1)).isoformat()}, 400, "in_the_past"),
        ({"site": "vlg", "kind": "room", "starts_at": at(12).isoformat(), "ends_at": at(11).isoformat()},
         400, "ends_before_start"),
        ({"site": "vlg", "kind": "laptop", "resource": "VLG-ROOM-001", "date": DAY.isoformat()}, 400,
         "resource_mismatch"),
        ({"site": "vlg", "kind": "laptop", "date": (DAY + timedelta(days=(5 - DAY.weekday()) % 7)).isoformat()},
         400, "closed_day"),
        ({"site": "vlg", "kind": "laptop", "date": DAY.isoformat(), "user": "learner2"}, 403, "not_allowed_for_others"),
    ]
    for body, status, code in cases:
        assert_problem(await learner.post("/api/waitlist", json=body), status, code)
    assert await db.fetchval("SELECT count(*) FROM waitlist_entry") == 0
    assert await db.fetchval("SELECT count(*) FROM booking") == 0


async def test_a_freed_unit_stops_offering_once_it_is_taken_again(learner, other_learner, staff, monkeypatch):
    # Laptops are booked for the whole day: once the first in line has the freed laptop, the second
    # cannot have it, so that cancellation must not try (and lock) their entry. A cancellation
    # elsewhere at the same moment skips locked entries and would pass them over.
    held = await hold_all("laptop", at(9), at(18))
    first = (await join_for_laptop(learner)).json()["id"]
    second = (await join_for_laptop(other_learner)).json()["id"]
    tried = []
    try_entry = waitlist._try_entry

    async def recording(entry_id, *args, **kwargs):
        tried.append(entry_id)
        return await try_entry(entry_id, *args, **kwargs)

    monkeypatch.setattr(waitlist, "_try_entry", recording)
    assert (await staff.post(f"/api/bookings/{held[0]}/cancel")).status_code == 200
    assert tried == [first]
    assert (await entry_status(first))["status"] == "booked"
    assert (await entry_status(second))["status"] == "waiting"
