"""A learner of another site visiting (issue 28): staff lend them an item of their own site when
the learner shows their pass or their own booking of it; the item stays its site's. A login typed
in still names only the desk's own learners (issue 26: no enumeration of other sites' learners)."""

from datetime import datetime, timedelta, timezone

import pytest

from fablab.platform import db
from tests.support.clients import make_client, sign_in


def due(hours: float = 3) -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).replace(microsecond=0).isoformat()


@pytest.fixture
async def staff_pfs(app, demo):
    async with make_client(app) as client:
        yield await sign_in(client, "staff.pfs")


async def test_a_visiting_learner_borrows_by_pass_and_the_item_stays_its_sites(learner, staff_pfs):
    pass_token = (await learner.get("/api/me/pass")).json()["token"]
    lent = await staff_pfs.post("/api/checkouts", json={"tag": "PFS-LAP-001", "pass": pass_token, "due_at": due()})
    assert lent.status_code == 201, lent.text
    assert lent.json()["holder"]["login"] == "learner1" and lent.json()["booking"]["site"] == "pfs"
    assert await db.fetchval("SELECT s.slug FROM resource r JOIN site s ON s.id = r.site_id "
                             "WHERE r.tag = 'PFS-LAP-001'") == "pfs"
    # The learner sees it among their loans; the desk that lent it takes it back.
    mine = (await learner.get("/api/bookings?mine=true")).json()
    assert any(b["resource"] == "PFS-LAP-001" and b["status"] == "checked_out" for b in mine)
    back = await staff_pfs.post("/api/checkins", json={"tag": "PFS-LAP-001"})
    assert back.status_code == 200, back.text


async def test_a_visiting_learner_borrows_several_items_by_pass(learner, staff_pfs):
    pass_token = (await learner.get("/api/me/pass")).json()["token"]
    lent = await staff_pfs.post("/api/handovers", json={
        "pass": pass_token, "due_at": due(), "items": [{"tag": "PFS-LAP-002"}, {"tag": "PFS-LAP-003"}]})
    assert lent.status_code == 201, lent.text
    assert [item["tag"] for item in lent.json()["items"]] == ["PFS-LAP-002", "PFS-LAP-003"]


async def test_a_visiting_learners_own_booking_is_handed_over(learner, staff_pfs):
    start = datetime.now(timezone.utc).replace(microsecond=0)
    booking_id = await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, "
        "status) SELECT r.id, r.site_id, r.kind, u.id, u.id, $1, $2, $2, 'confirmed' FROM resource r, app_user u "
        "WHERE r.tag = 'PFS-LAP-004' AND u.login = 'learner1' RETURNING id", start, start + timedelta(hours=2))
    lent = await staff_pfs.post("/api/checkouts", json={"tag": "PFS-LAP-004", "booking": booking_id})
    assert lent.status_code == 201, lent.text
    assert lent.json()["booking"]["id"] == booking_id


async def test_a_login_typed_in_still_names_only_the_desks_own_learners(staff_pfs):
    refused = await staff_pfs.post("/api/checkouts", json={"tag": "PFS-LAP-001", "user": "learner1", "due_at": due()})
    assert (refused.status_code, refused.json()["code"]) == (404, "unknown_user")
    several = await staff_pfs.post("/api/handovers", json={"learner": "learner1", "due_at": due(),
                                                           "items": [{"tag": "PFS-LAP-001"}]})
    assert (several.status_code, several.json()["code"]) == (404, "unknown_user")


async def test_a_pass_lends_only_the_desks_own_items_and_only_to_learners(learner, staff_pfs, staff):
    pass_token = (await learner.get("/api/me/pass")).json()["token"]
    elsewhere = await staff_pfs.post("/api/checkouts", json={"tag": "VLG-LAP-002", "pass": pass_token, "due_at": due()})
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (403, "not_your_site")
    staff_pass = (await staff.get("/api/me/pass")).json()["token"]
    not_learner = await staff_pfs.post("/api/checkouts", json={"tag": "PFS-LAP-001", "pass": staff_pass, "due_at": due()})
    assert (not_learner.status_code, not_learner.json()["code"]) == (403, "not_a_learner")
