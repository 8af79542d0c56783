"""Parts that travel with an item (issue 19): the laptop that comes back without its charger."""

import asyncio
from datetime import datetime, timedelta, timezone

import asyncpg
import pytest

from fablab.platform import db
from tests.support.clients import make_client, sign_in

pytestmark = pytest.mark.pg_engine

LAPTOP = "VLG-LAP-003"


def due() -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()


async def add_part(client, name: str, tag: str | None = None, item: str = LAPTOP) -> dict:
    response = await client.post(f"/api/resources/{item}/parts", json={"name": name, **({"tag": tag} if tag else {})})
    assert response.status_code == 201, response.text
    return response.json()


async def lend(client, *, user: str = "learner1", parts: list[int] | None = None, item: str = LAPTOP):
    body = {"tag": item, "user": user, "due_at": due()}
    if parts is not None:
        body["parts"] = parts
    return await client.post("/api/checkouts", json=body)


async def parts_by_name(client, item: str = LAPTOP) -> dict:
    item_page = (await client.get(f"/api/resources/{item}")).json()
    return {part["name"]: part for part in item_page["parts"]}


async def charger_kept_by_learner1(staff) -> dict:
    """The laptop lent to learner1 with its charger, and back without it."""
    charger = await add_part(staff, "Chargeur")
    assert (await lend(staff)).status_code == 201
    back = await staff.post("/api/checkins", json={"tag": LAPTOP, "missing_parts": [charger["id"]]})
    assert back.json()["condition"] == "incomplete"
    return charger


async def test_a_laptop_lent_with_its_charger_and_returned_without_it(staff, learner):
    """The issue's story: incomplete return, the charger held by the learner, returned later, and the
    item's history tells each step."""
    charger = await add_part(staff, "Chargeur", tag="vlg-chg-003")
    mouse = await add_part(staff, "Souris")
    assert charger["tag"] == "VLG-CHG-003" and charger["state"] == "here" and mouse["tag"] is None

    lent = await lend(staff, parts=[charger["id"], mouse["id"]])
    assert lent.status_code == 201, lent.text
    assert {p["name"]: p["state"] for p in lent.json()["parts"]} == {"Chargeur": "lent", "Souris": "lent"}

    back = await staff.post("/api/checkins", json={"tag": LAPTOP, "missing_parts": [charger["id"]]})
    assert back.status_code == 200, back.text
    assert back.json()["condition"] == "incomplete"
    assert [p["name"] for p in back.json()["missing_parts"]] == ["Chargeur"]

    parts = await parts_by_name(staff)
    assert parts["Chargeur"]["state"] == "missing" and parts["Chargeur"]["holder"]["login"] == "learner1"
    assert parts["Souris"]["state"] == "here" and parts["Souris"]["holder"] is None
    missing = (await staff.get("/api/parts/missing", params={"site": "vlg"})).json()
    assert [(m["name"], m["resource"], m["holder"]["login"]) for m in missing] == [("Chargeur", LAPTOP, "learner1")]
    assert [m["name"] for m in (await learner.get("/api/me/missing-parts")).json()] == ["Chargeur"]

    returned = await staff.post(f"/api/parts/{charger['id']}/return", json={"note": "rapporté lundi"})
    assert returned.status_code == 200, returned.text
    assert returned.json()["state"] == "here"
    assert (await staff.get("/api/parts/missing", params={"site": "vlg"})).json() == []
    assert (await learner.get("/api/me/missing-parts")).json() == []
    again = await staff.post(f"/api/parts/{charger['id']}/return", json={})
    assert (again.status_code, again.json()["code"]) == (409, "part_not_missing")

    history = list(reversed((await staff.get("/api/movements", params={"tag": LAPTOP})).json()))
    story = [(m["kind"], m["condition"], (m["part"] or {}).get("name"), (m["holder"] or {}).get("login"))
             for m in history]
    assert story == [
        ("check_out", None, None, "learner1"),
        ("check_in", "incomplete", None, "learner1"),
        ("part_missing", None, "Chargeur", "learner1"),
        ("part_returned", None, "Chargeur", "learner1"),
    ]
    assert history[-1]["note"] == "rapporté lundi" and history[-1]["staff"]["login"] == "staff.vlg"


async def test_a_part_not_ticked_stays_at_the_desk_and_cannot_be_missing(staff):
    charger = await add_part(staff, "Chargeur")
    mouse = await add_part(staff, "Souris")
    assert (await lend(staff, parts=[mouse["id"]])).status_code == 201
    parts = await parts_by_name(staff)
    assert parts["Chargeur"]["state"] == "here" and parts["Souris"]["state"] == "lent"
    kinds = [(m["kind"], (m["part"] or {}).get("name")) for m in
             (await staff.get("/api/movements", params={"tag": LAPTOP})).json()]
    assert ("part_not_handed_over", "Chargeur") in kinds

    refused = await staff.post("/api/checkins", json={"tag": LAPTOP, "missing_parts": [charger["id"]]})
    assert (refused.status_code, refused.json()["code"]) == (400, "part_not_lent")
    assert (await staff.get(f"/api/tags/{LAPTOP}")).json()["actions"][0] == "check_in"  # still out: nothing changed
    back = await staff.post("/api/checkins", json={"tag": LAPTOP})
    assert back.json()["condition"] == "ok" and back.json()["missing_parts"] == []
    assert all(p["state"] == "here" for p in (await parts_by_name(staff)).values())


async def test_without_a_parts_list_every_part_at_the_desk_goes_but_not_one_still_held(staff):
    """Old clients send no `parts`: the item goes with what is at the desk; a charger still held by
    the previous learner is recorded as not handed over, and ticking it is refused."""
    charger = await add_part(staff, "Chargeur")
    await add_part(staff, "Souris")
    assert (await lend(staff)).status_code == 201
    await staff.post("/api/checkins", json={"tag": LAPTOP, "missing_parts": [charger["id"]]})

    ticked = await lend(staff, user="learner2", parts=[charger["id"]])
    assert (ticked.status_code, ticked.json()["code"]) == (409, "part_held")
    lent = await lend(staff, user="learner2")
    assert lent.status_code == 201, lent.text
    parts = {p["name"]: p for p in lent.json()["parts"]}
    assert parts["Souris"]["holder"]["login"] == "learner2"
    assert parts["Chargeur"]["state"] == "missing" and parts["Chargeur"]["holder"]["login"] == "learner1"


async def test_a_damaged_return_with_a_missing_part_stays_damaged(staff):
    charger = await add_part(staff, "Chargeur")
    await lend(staff)
    back = await staff.post("/api/checkins", json={"tag": LAPTOP, "condition": "damaged",
                                                   "missing_parts": [charger["id"]]})
    assert back.json()["condition"] == "damaged" and back.json()["resource_status"] == "maintenance"
    assert (await parts_by_name(staff))["Chargeur"]["state"] == "missing"


async def test_unknown_parts_and_parts_of_another_item_are_refused_and_change_nothing(staff):
    own = await add_part(staff, "Chargeur")
    other = await add_part(staff, "Chargeur", item="VLG-LAP-004")
    for parts in ([987654], [other["id"]], [own["id"], other["id"]]):
        refused = await lend(staff, parts=parts)
        assert (refused.status_code, refused.json()["code"]) == (400, "unknown_part"), refused.text
    assert not await db.fetchval("SELECT count(*) FROM booking")
    assert not await db.fetchval("SELECT count(*) FROM part_custody")

    await lend(staff, parts=[own["id"]])
    for missing in ([987654], [other["id"]]):
        refused = await staff.post("/api/checkins", json={"tag": LAPTOP, "missing_parts": missing})
        assert (refused.status_code, refused.json()["code"]) == (400, "unknown_part")
    assert await db.fetchval("SELECT count(*) FROM booking WHERE status = 'checked_out'") == 1
    assert not await db.fetchval("SELECT count(*) FROM movement WHERE kind = 'check_in'")
    bad_body = await staff.post("/api/checkins", json={"tag": LAPTOP, "missing_parts": ["charger"]})
    assert bad_body.status_code == 400


async def test_a_part_is_added_with_a_name_and_a_tag_no_item_or_part_has(staff):
    def refused(response, status, code):
        return (response.status_code, response.json().get("code")) == (status, code)

    post = staff.post
    assert refused(await post(f"/api/resources/{LAPTOP}/parts", json={"name": "x", "tag": "VLG-LAP-001"}),
                   409, "tag_taken")
    await add_part(staff, "Chargeur", tag="VLG-CHG-001")
    assert refused(await post("/api/resources/VLG-LAP-004/parts", json={"name": "x", "tag": "vlg-chg-001"}),
                   409, "tag_taken")
    assert refused(await post("/api/resources", json={"site": "vlg", "kind": "laptop", "name": "P",
                                                      "tag": "VLG-CHG-001"}), 409, "tag_taken")
    assert refused(await post(f"/api/resources/{LAPTOP}/parts", json={"name": "x", "tag": "pas un tag!"}),
                   400, "invalid_tag")
    assert refused(await post(f"/api/resources/{LAPTOP}/parts", json={"name": "   "}), 400, "invalid_input")
    assert (await post(f"/api/resources/{LAPTOP}/parts", json={"name": ""})).status_code == 400
    assert (await post(f"/api/resources/{LAPTOP}/parts", json={"name": "x", "state": "lent"})).status_code == 400
    assert refused(await post("/api/resources/NOPE-000/parts", json={"name": "x"}), 404, "unknown_tag")
    # A generated item tag skips a number a part's label took.
    laptops = [r["tag"] for r in (await staff.get("/api/resources", params={"site": "vlg", "kind": "laptop"})).json()]
    taken = f"VLG-LAP-{max(int(tag[-3:]) for tag in laptops) + 1:03d}"
    await add_part(staff, "Sacoche", tag=taken)
    created = await post("/api/resources", json={"site": "vlg", "kind": "laptop", "name": "Portable neuf"})
    assert created.status_code == 201 and created.json()["tag"] > taken


async def test_a_part_is_removed_unless_a_learner_holds_it(staff):
    charger = await add_part(staff, "Chargeur", tag="VLG-CHG-009")
    mouse = await add_part(staff, "Souris")
    await lend(staff)
    held = await staff.delete(f"/api/resources/{LAPTOP}/parts/{charger['id']}")
    assert (held.status_code, held.json()["code"]) == (409, "part_held")
    await staff.post("/api/checkins", json={"tag": LAPTOP})
    assert (await staff.delete(f"/api/resources/{LAPTOP}/parts/{charger['id']}")).status_code == 204
    assert list(await parts_by_name(staff)) == ["Souris"]
    unknown = await staff.delete(f"/api/resources/VLG-LAP-004/parts/{mouse['id']}")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_part")
    # Its label is free again; its history stays.
    await add_part(staff, "Chargeur neuf", tag="VLG-CHG-009")
    assert await db.fetchval("SELECT count(*) FROM part_custody WHERE part_id = $1", charger["id"]) == 1


async def test_staff_of_another_site_neither_change_parts_nor_see_who_holds_them(app, staff):
    charger = await charger_kept_by_learner1(staff)
    async with make_client(app) as client:
        other = await sign_in(client, "staff.pfs")
        for response in (
            await other.post(f"/api/resources/{LAPTOP}/parts", json={"name": "Souris"}),
            await other.delete(f"/api/resources/{LAPTOP}/parts/{charger['id']}"),
            await other.post(f"/api/parts/{charger['id']}/return", json={}),
            await other.get("/api/parts/missing", params={"site": "vlg"}),
        ):
            assert (response.status_code, response.json()["code"]) == (403, "not_your_site"), response.text
        assert (await other.get("/api/parts/missing")).json() == []  # their own sites: nothing missing
        seen = (await other.get(f"/api/resources/{LAPTOP}")).json()["parts"]
        assert [(p["name"], p["state"], p["holder"]) for p in seen] == [("Chargeur", "missing", None)]
        assert "parts" not in (await other.get(f"/api/tags/{LAPTOP}")).json()
    assert (await parts_by_name(staff))["Chargeur"]["state"] == "missing"


async def test_two_desks_recording_one_return_give_one_return(app, staff):
    charger = await charger_kept_by_learner1(staff)
    async with make_client(app) as client:
        second = await sign_in(client, "staff.vlg")
        answers = await asyncio.gather(*(desk.post(f"/api/parts/{charger['id']}/return", json={})
                                         for desk in (staff, second)))
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert await db.fetchval("SELECT count(*) FROM movement WHERE kind = 'part_returned'") == 1


async def test_a_movement_never_changes_the_part_it_names(staff):
    charger = await charger_kept_by_learner1(staff)
    other = await add_part(staff, "Souris")
    with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
        await db.fetch("UPDATE movement SET part_id = $1 WHERE part_id = $2", other["id"], charger["id"])
    with pytest.raises(asyncpg.CheckViolationError):  # a part_* movement names its part
        await db.fetch("INSERT INTO movement (resource_id, kind) SELECT id, 'part_missing' FROM resource LIMIT 1")
