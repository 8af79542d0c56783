"""Resources: listing, tags (generated, case-insensitive), status changes and their movements, CSV, tag pages."""

import asyncio

from fablab.platform import db


async def test_list_filters_by_site_kind_status_and_text(learner):
    response = await learner.get("/api/resources", params={"site": "pan", "kind": "printer_3d"})
    assert response.status_code == 200
    assert [r["tag"] for r in response.json()] == ["PAN-P3D-001", "PAN-P3D-002"]
    found = (await learner.get("/api/resources", params={"q": "hopper"})).json()
    assert {r["tag"] for r in found} == {"VLG-ROOM-002", "PFS-ROOM-002", "PAN-ROOM-002"}
    assert (await learner.get("/api/resources", params={"status": "lost"})).json() == []


async def test_listing_needs_login_and_a_known_kind(anon, learner):
    assert (await anon.get("/api/resources")).status_code == 401
    response = await learner.get("/api/resources", params={"kind": "drone"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"


async def test_lookup_is_case_insensitive(learner):
    response = await learner.get("/api/resources/vlg-lap-007")
    assert response.status_code == 200
    body = response.json()
    assert body["tag"] == "VLG-LAP-007" and body["site"] == "vlg" and body["kind"] == "laptop"
    assert "holder" not in body  # learners do not see who holds what
    missing = await learner.get("/api/resources/VLG-LAP-999")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_tag"


async def test_create_generates_the_next_tag_at_the_site(staff_everywhere):
    response = await staff_everywhere.post("/api/resources", json={"site": "pan", "kind": "laptop", "name": "Portable 13",
                                                        "details": {"model": "ThinkPad", "serial": "X1"}})
    assert response.status_code == 201, response.text
    assert response.json()["tag"] == "PAN-LAP-013"
    room = await staff_everywhere.post("/api/resources", json={"site": "vlg", "kind": "room", "name": "Salle 4"})
    assert room.json()["tag"] == "VLG-ROOM-004"


async def test_concurrent_creates_get_distinct_tags(staff_everywhere):
    responses = await asyncio.gather(*[
        staff_everywhere.post("/api/resources", json={"site": "pfs", "kind": "printer_3d", "name": f"Imprimante {n}"})
        for n in range(5)
    ])
    assert [r.status_code for r in responses] == [201] * 5
    assert sorted(r.json()["tag"] for r in responses) == [f"PFS-P3D-{n:03d}" for n in range(3, 8)]


async def test_given_tag_is_upper_cased_and_must_be_unique(staff):
    response = await staff.post("/api/resources", json={"site": "vlg", "kind": "laptop", "name": "Prêt",
                                                        "tag": "vlg-lap-100"})
    assert response.status_code == 201 and response.json()["tag"] == "VLG-LAP-100"
    again = await staff.post("/api/resources", json={"site": "vlg", "kind": "laptop", "name": "Autre",
                                                     "tag": "Vlg-Lap-100"})
    assert again.status_code == 409 and again.json()["code"] == "tag_taken"
    bad = await staff.post("/api/resources", json={"site": "vlg", "kind": "laptop", "name": "x", "tag": "a b"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_tag"


async def test_create_refuses_unknown_site_fields_and_learners(staff, learner):
    unknown_site = await staff.post("/api/resources", json={"site": "nowhere", "kind": "room", "name": "x"})
    assert unknown_site.status_code == 404 and unknown_site.json()["code"] == "unknown_site"
    extra = await staff.post("/api/resources", json={"site": "vlg", "kind": "room", "name": "x", "id": 1})
    assert extra.status_code == 400
    forbidden = await learner.post("/api/resources", json={"site": "vlg", "kind": "room", "name": "x"})
    assert forbidden.status_code == 403


async def test_status_changes_append_movements(staff):
    for status in ("maintenance", "available", "lost", "available", "retired"):
        response = await staff.patch("/api/resources/vlg-lap-003", json={"status": status, "note": "test"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    history = (await staff.get("/api/movements", params={"tag": "VLG-LAP-003"})).json()
    assert [m["kind"] for m in reversed(history)] == ["maintenance_start", "maintenance_end", "lost", "found", "retired"]
    assert all(m["staff"]["login"] == "staff.vlg" for m in history)
    # Editing other fields records nothing; details are merged, null removes a key.
    edited = await staff.patch("/api/resources/VLG-LAP-003", json={"name": "Portable réformé",
                                                                   "details": {"serial": None, "ram": "16 Go"}})
    assert edited.json()["name"] == "Portable réformé"
    assert edited.json()["details"] == {"model": "Lenovo ThinkPad E14", "ram": "16 Go"}
    assert len((await staff.get("/api/movements", params={"tag": "VLG-LAP-003"})).json()) == 5


async def test_patch_refuses_unknown_fields(staff):
    response = await staff.patch("/api/resources/VLG-LAP-003", json={"site_id": 2})
    assert response.status_code == 400
    response = await staff.patch("/api/resources/VLG-LAP-003", json={"status": "broken"})
    assert response.status_code == 400


async def test_csv_export_neutralises_formulas_and_imports_back(staff_everywhere):
    await staff_everywhere.patch("/api/resources/PAN-ROOM-001", json={"name": "=HYPERLINK(\"http://evil\")",
                                                           "notes": "+33 1 23"})
    export = await staff_everywhere.get("/api/resources/export.csv", params={"site": "pan"})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    text = export.text.lstrip("\ufeff")
    lines = text.splitlines()
    assert lines[0].startswith('"tag","name","kind","site","status","notes"')
    room = next(line for line in lines if line.startswith('"PAN-ROOM-001"'))
    assert "'=HYPERLINK" in room and "'+33 1 23" in room
    assert len(lines) == 1 + 17

    # The exported file imports back unchanged (the apostrophes are undone).
    result = await staff_everywhere.post("/api/resources/import", content=export.content, headers={"content-type": "text/csv"})
    assert result.status_code == 200, result.text
    assert result.json()["created"] == [] and result.json()["updated"] == []
    assert len(result.json()["unchanged"]) == 17
    room = (await staff_everywhere.get("/api/resources/PAN-ROOM-001")).json()
    assert room["name"] == "=HYPERLINK(\"http://evil\")"


async def test_csv_import_creates_updates_and_is_all_or_nothing(staff_everywhere):
    good = ("tag;name;kind;site;status;notes;capacity\n"
            ";Salle Marie Curie;room;pfs;;;20\n"
            "PFS-LAP-001;Portable 01 (écran fêlé);laptop;pfs;maintenance;écran;\n").encode("cp1252")
    response = await staff_everywhere.post("/api/resources/import", content=good, headers={"content-type": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == ["PFS-ROOM-004"] and response.json()["updated"] == ["PFS-LAP-001"]
    laptop = (await staff_everywhere.get("/api/resources/PFS-LAP-001")).json()
    assert laptop["status"] == "maintenance" and laptop["name"] == "Portable 01 (écran fêlé)"
    assert (await staff_everywhere.get("/api/resources/PFS-ROOM-004")).json()["details"] == {"capacity": 20}

    before = await db.fetchval("SELECT count(*) FROM resource")
    bad = b"tag,name,kind,site\n,Nouveau,laptop,pfs\n,Sans type,drone,pfs\nX,Y,room,nowhere\n"
    response = await staff_everywhere.post("/api/resources/import", content=bad, headers={"content-type": "text/csv"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_csv" and body["errors"][0]["line"] == 3
    assert await db.fetchval("SELECT count(*) FROM resource") == before

    unknown_site = b"tag,name,kind,site\n,Nouveau,laptop,pfs\n,Autre,room,nowhere\n"
    response = await staff_everywhere.post("/api/resources/import", content=unknown_site, headers={"content-type": "text/csv"})
    assert response.status_code == 400 and response.json()["errors"] == [
        {"line": 3, "field": "site", "message": "unknown site 'nowhere'"}]
    assert await db.fetchval("SELECT count(*) FROM resource") == before

    no_header = await staff_everywhere.post("/api/resources/import", content=b"a,b\n1,2\n", headers={"content-type": "text/csv"})
    assert no_header.status_code == 400 and no_header.json()["code"] == "invalid_csv"


async def test_tag_page_for_anonymous_visitor(anon):
    response = await anon.get("/api/tags/vlg-lap-007")
    assert response.status_code == 200
    body = response.json()
    assert body["tag"] == "VLG-LAP-007" and body["name"] == "Portable 07" and body["site"] == "vlg"
    assert body["actions"] == ["log_in"] and body["next"] == "/t/VLG-LAP-007"
    assert "holder" not in body and "my_booking" not in body
    unknown = await anon.get("/api/tags/NOPE-1")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_tag"


async def test_tag_page_for_learner_and_staff(learner, staff):
    body = (await learner.get("/api/tags/VLG-LAP-007")).json()
    assert body["actions"] == ["book"] and body["my_booking"] is None and body["free_now"] is True
    body = (await staff.get("/api/tags/VLG-LAP-007")).json()
    assert body["holder"] is None and body["current_booking"] is None
    assert body["actions"] == ["check_out", "maintenance_start", "lost"]
    await staff.patch("/api/resources/VLG-LAP-007", json={"status": "maintenance"})
    body = (await staff.get("/api/tags/VLG-LAP-007")).json()
    assert body["actions"] == ["maintenance_end", "lost"]
    assert (await learner.get("/api/tags/VLG-LAP-007")).json()["actions"] == []


def test_status_changes_map_to_movement_kinds():
    from fablab.inventory.service import status_movement
    assert status_movement("available", "maintenance") == "maintenance_start"
    assert status_movement("maintenance", "available") == "maintenance_end"
    assert status_movement("available", "lost") == "lost"
    assert status_movement("lost", "available") == "found"
    assert status_movement("maintenance", "retired") == "retired"
    assert status_movement("lost", "lost") is None


def test_formula_cells_are_neutralised_and_restored():
    from fablab.inventory.csvio import neutralise_cell, restore_cell
    for cell in ("=1+1", "+33", "-2", "@SUM(A1)", "\tx"):
        assert neutralise_cell(cell) == "'" + cell and restore_cell(neutralise_cell(cell)) == cell
    assert neutralise_cell("VLG-LAP-001") == "VLG-LAP-001" and restore_cell("'quoted") == "'quoted"
