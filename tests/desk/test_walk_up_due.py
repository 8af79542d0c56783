"""The desk's walk-up loans take the tested rules.walk_up_due; lent items say so in lists and tag pages."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.domain.errors import InvalidInput
from fablab.desk import checkout
from tests.support.desk import desk

PARIS = ZoneInfo("Europe/Paris")
TUESDAY = date(2027, 6, 8)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), PARIS)


async def test_a_walk_up_without_due_time_ends_at_the_policy_walk_up_due(demo):
    actor = await desk()
    laptop = await checkout.check_out(actor=actor, tag="VLG-LAP-008", user_ref="learner3", now=at(TUESDAY, 10, 7))
    assert laptop["walk_up"] is True and laptop["due_at"] == at(TUESDAY, 18)
    room = await checkout.check_out(actor=actor, tag="VLG-ROOM-001", user_ref="learner4", now=at(TUESDAY, 17, 50))
    assert room["due_at"] == at(TUESDAY, 18)  # the shortest loan, capped at closing


async def test_before_opening_the_desk_is_told_a_due_time_and_may_lend_with_it(demo):
    actor = await desk()
    early = at(TUESDAY, 8, 15)
    with pytest.raises(InvalidInput) as refused:
        await checkout.check_out(actor=actor, tag="VLG-LAP-009", user_ref="learner3", now=early)
    assert refused.value.code == "due_at_required"
    suggested = datetime.fromisoformat(refused.value.extra["suggested_due_at"])
    assert suggested == at(TUESDAY, 18)
    assert not await db.fetchval("SELECT count(*) FROM booking")  # the refusal lent nothing
    lent = await checkout.check_out(actor=actor, tag="VLG-LAP-009", user_ref="learner3", due_at=suggested, now=early)
    assert lent["due_at"] == suggested


async def test_staff_see_who_holds_each_item_of_their_site(app, demo, staff, learner):
    lent = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-010", "user": "learner5",
                                                    "due_at": (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()})
    assert lent.status_code == 201, lent.text
    items = {i["tag"]: i for i in (await staff.get("/api/resources", params={"site": "vlg", "kind": "laptop"})).json()}
    assert items["VLG-LAP-010"]["loan"]["holder"]["login"] == "learner5"
    assert items["VLG-LAP-010"]["loan"]["overdue"] is False
    assert items["VLG-LAP-011"]["loan"] is None
    # Learners never see holders; staff of another site neither.
    seen_by_learner = (await learner.get("/api/resources", params={"site": "vlg", "kind": "laptop"})).json()
    assert all("loan" not in item for item in seen_by_learner)
    from tests.support.clients import make_client, sign_in
    async with make_client(app) as client:
        other = await sign_in(client, "staff.pfs")
        seen_by_other = (await other.get("/api/resources", params={"site": "vlg", "kind": "laptop"})).json()
        assert all(item["loan"] is None for item in seen_by_other)
    # The tag page of a lent item names the holder, the due time and the item's name on the loan.
    page = (await staff.get("/api/tags/VLG-LAP-010")).json()
    assert page["holder"]["login"] == "learner5" and page["current_booking"]["resource_name"]
    assert "walk_up" not in page  # nothing to lend while it is out


async def test_the_tag_page_offers_a_return_time_for_a_free_item(staff):
    page = (await staff.get("/api/tags/VLG-LAP-002")).json()
    assert "check_out" in page["actions"]
    walk_up = page["walk_up"]
    assert isinstance(walk_up["by_policy"], bool)
    assert datetime.fromisoformat(walk_up["due_at"]) > datetime.now(timezone.utc)


async def test_a_damaged_return_keeps_the_note_in_plain_words(staff):
    due = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
    assert (await staff.post("/api/checkouts", json={"tag": "VLG-LAP-012", "user": "learner2", "due_at": due})).status_code == 201
    back = await staff.post("/api/checkins", json={"tag": "VLG-LAP-012", "condition": "damaged", "note": "Écran fissuré"})
    assert back.status_code == 200, back.text
    history = (await staff.get("/api/movements", params={"tag": "VLG-LAP-012"})).json()
    assert [(m["kind"], m["condition"], m["note"]) for m in history[:2]] == [
        ("maintenance_start", None, "Écran fissuré"), ("check_in", "damaged", "Écran fissuré")]


async def test_a_dry_run_names_the_holder_and_return_time_and_lends_nothing(staff):
    due = (datetime.now(timezone.utc) + timedelta(hours=3)).replace(microsecond=0)
    asked = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-005", "user": "learner3",
                                                     "due_at": due.isoformat(), "dry_run": True})
    assert asked.status_code == 200, asked.text
    body = asked.json()
    assert body["dry_run"] is True and body["walk_up"] is True
    assert body["holder"]["login"] == "learner3" and datetime.fromisoformat(body["due_at"]) == due
    assert not await db.fetchval("SELECT count(*) FROM booking")
    assert not await db.fetchval("SELECT count(*) FROM movement WHERE kind = 'check_out'")
    assert (await staff.get("/api/tags/VLG-LAP-005")).json()["holder"] is None
    # A refusal comes back from the dry run as it would from the check-out.
    unknown = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-005", "pass": "not-a-pass", "dry_run": True})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_pass"
    lent = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-005", "user": "learner3", "due_at": due.isoformat()})
    assert lent.status_code == 201 and lent.json()["dry_run"] is False


async def test_a_printers_tag_page_names_its_materials(staff):
    """The return asks for the consumables that fit the printer (issue 28): the tag page says what it
    prints with, and a laptop has none."""
    assert (await staff.get("/api/tags/VLG-P3D-001")).json()["materials"] == ["PLA", "PETG"]
    assert (await staff.get("/api/tags/VLG-LAP-002")).json()["materials"] == []
