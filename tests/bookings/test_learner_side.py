"""The learner side of issue 15 on the server: quota refusals name what holds them, the waitlist
warns at join time, and the private calendar link can be shown again."""

from datetime import datetime, time

from fablab.platform import db
from tests.support.bookings import DAY, PARIS, assert_problem, ordinary_day_after
from tests.support.waitlist import hold_all


def at(hh: int, mm: int = 0, day=DAY) -> str:
    return datetime.combine(day, time(hh, mm), PARIS).isoformat()


async def laptop_day(client, day=DAY, **extra):
    """A one-day laptop loan on `day` (opening to closing, 09:00-18:00 at vlg)."""
    return await client.post("/api/bookings", json={"site": "vlg", "kind": "laptop", "starts_at": at(9, day=day),
                                                    "ends_at": at(18, day=day), **extra})


async def test_a_quota_refusal_gives_the_limit_and_the_booking_that_holds_it(learner):
    held = await laptop_day(learner)
    assert held.status_code == 201, held.text
    refused = await laptop_day(learner, day=ordinary_day_after(DAY))
    assert_problem(refused, 422, "quota_exceeded")
    problem = refused.json()
    assert problem["quota"] == "max_active_bookings" and problem["limit"] == 1
    assert [(h["id"], h["resource"], h["resource_name"]) for h in problem["holding"]] == [
        (held.json()["id"], held.json()["resource"], held.json()["resource_name"])]
    holding = problem["holding"][0]
    assert datetime.fromisoformat(holding["starts_at"]) == datetime.fromisoformat(at(9))
    assert datetime.fromisoformat(holding["ends_at"]) == datetime.fromisoformat(at(18))
    # A cancelled booking holds nothing: the same request then goes through.
    assert (await learner.post(f"/api/bookings/{held.json()['id']}/cancel")).status_code == 200
    assert (await laptop_day(learner, day=ordinary_day_after(DAY))).status_code == 201


async def test_a_weekly_hours_refusal_lists_the_week_s_bookings(learner, admin):
    policy = {"unit": "minutes", "slot_minutes": 30, "min_length": 30, "max_length": 240, "max_hours_per_week": 2}
    assert (await admin.put("/api/policies/vlg/room", json=policy)).status_code == 200
    first = await learner.post("/api/bookings", json={"resource": "VLG-ROOM-001", "starts_at": at(10), "ends_at": at(11)})
    second = await learner.post("/api/bookings", json={"resource": "VLG-ROOM-002", "starts_at": at(14), "ends_at": at(15)})
    assert first.status_code == 201 and second.status_code == 201, (first.text, second.text)
    refused = await learner.post("/api/bookings", json={"site": "vlg", "kind": "room", "starts_at": at(16),
                                                        "ends_at": at(17)})
    assert_problem(refused, 422, "quota_exceeded")
    assert refused.json()["quota"] == "max_hours_per_week" and refused.json()["limit"] == 2
    assert [h["id"] for h in refused.json()["holding"]] == [first.json()["id"], second.json()["id"]]


async def test_joining_a_full_slot_at_the_quota_warns_now_and_records_no_skip(learner):
    assert (await laptop_day(learner)).status_code == 201
    later = ordinary_day_after(DAY)
    start, end = datetime.fromisoformat(at(9, day=later)), datetime.fromisoformat(at(18, day=later))
    await hold_all("laptop", start, end)
    joined = await learner.post("/api/waitlist", json={"site": "vlg", "kind": "laptop", "date": later.isoformat()})
    assert joined.status_code == 201, joined.text
    body = joined.json()
    assert body["status"] == "waiting" and body["skip_reason"] is None
    assert body["warning"]["code"] == "quota_exceeded" and body["warning"]["limit"] == 1
    assert len(body["warning"]["holding"]) == 1
    assert await db.fetchval("SELECT skip_reason FROM waitlist_entry WHERE id = $1", body["id"]) is None
    # The list, read later, does not claim a place was freed.
    assert [e["skip_reason"] for e in (await learner.get("/api/waitlist")).json()] == [None]


async def test_joining_a_free_slot_at_the_quota_warns_and_waits(learner):
    assert (await laptop_day(learner)).status_code == 201
    later = ordinary_day_after(DAY)
    joined = await learner.post("/api/waitlist", json={"site": "vlg", "kind": "laptop", "date": later.isoformat()})
    assert joined.status_code == 201, joined.text
    assert joined.json()["status"] == "waiting" and joined.json()["skip_reason"] is None
    assert joined.json()["warning"]["code"] == "quota_exceeded"


async def test_an_untrained_learner_is_warned_at_join(learner):
    await hold_all("printer_3d", datetime.fromisoformat(at(10)), datetime.fromisoformat(at(12)))
    joined = await learner.post("/api/waitlist", json={"site": "vlg", "kind": "printer_3d",
                                                       "starts_at": at(10), "ends_at": at(12)})
    assert joined.status_code == 201 and joined.json()["warning"]["code"] == "training_required"


async def test_joining_within_the_rules_gives_no_warning_and_entries_name_the_item(learner):
    await hold_all("laptop", datetime.fromisoformat(at(9)), datetime.fromisoformat(at(18)))
    joined = await learner.post("/api/waitlist", json={"site": "vlg", "kind": "laptop", "resource": "VLG-LAP-002",
                                                       "date": DAY.isoformat()})
    assert joined.status_code == 201, joined.text
    assert "warning" not in joined.json()
    name = await db.fetchval("SELECT name FROM resource WHERE tag = 'VLG-LAP-002'")
    assert joined.json()["resource"] == "VLG-LAP-002" and joined.json()["resource_name"] == name != "VLG-LAP-002"
    assert (await learner.get("/api/waitlist")).json()[0]["resource_name"] == name


async def test_the_private_link_is_shown_again_and_rotation_kills_the_old_one(learner, other_learner, anon):
    created = await learner.post("/api/me/feed-token")
    assert created.status_code == 201
    link = created.json()
    listed = (await learner.get("/api/feeds")).json()["personal"]
    assert listed["active"] is True
    assert (listed["https"], listed["webcal"], listed["google"]) == (link["https"], link["webcal"], link["google"])
    assert link["google"].startswith("https://calendar.google.com/") and "http%3A%2F%2Ftestserver%2Fcal%2Fme%2F" in link["google"]
    path = link["https"].removeprefix("http://testserver")
    assert (await anon.get(path)).status_code == 200
    # Shown again, the same link each time (nothing new is made by looking).
    assert (await learner.get("/api/feeds")).json()["personal"]["https"] == link["https"]
    assert (await other_learner.get("/api/feeds")).json()["personal"]["https"] is None

    rotated = (await learner.post("/api/me/feed-token")).json()
    assert rotated["https"] != link["https"]
    assert (await anon.get(path)).status_code == 404
    assert (await learner.get("/api/feeds")).json()["personal"]["https"] == rotated["https"]
    # Only hashes are stored.
    token = rotated["https"].rsplit("/", 1)[1].removesuffix(".ics")
    assert not await db.fetchval("SELECT count(*) FROM feed_token WHERE token_hash = $1", token)


async def test_a_link_from_before_derived_tokens_keeps_working_but_is_not_shown(learner, anon):
    from fablab.domain.tokens import hash_token

    user_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    await db.fetch("INSERT INTO feed_token (token_hash, user_id, scope) VALUES ($1, $2, 'me')",
                   hash_token("an-old-random-token"), user_id)
    listed = (await learner.get("/api/feeds")).json()["personal"]
    assert listed["active"] is True and listed["https"] is None
    assert (await anon.get("/cal/me/an-old-random-token.ics")).status_code == 200


async def test_staff_feed_link_is_shown_again(staff):
    created = (await staff.post("/api/me/staff-feed-token")).json()
    assert (await staff.get("/api/feeds")).json()["staff"]["https"] == created["https"]

