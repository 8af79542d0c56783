"""A cohort's invite sheet: new invites for its learners who have not activated their account."""

from fablab.platform import db


async def test_a_cohort_sheet_invites_only_who_has_not_activated(staff, anon):
    csv = "name,login,site,cohort\nAwa Traoré,awa.t,vlg,VLG-2027\nBilal K.,bilal.k,vlg,VLG-2027\n"
    imported = await staff.post("/api/users/import", content=csv.encode(), headers={"content-type": "text/csv"})
    assert imported.status_code == 200, imported.text
    assert [row["name"] for row in imported.json()["rows"]] == ["Awa Traoré", "Bilal K."]
    first_invite = imported.json()["rows"][0]["invite"]["token"]
    # Awa activates her account; Bilal loses his sheet.
    assert (await anon.post(f"/api/invites/{first_invite}/accept", json={"password": "un-mot-de-passe-solide"})).status_code == 200
    old_bilal = imported.json()["rows"][1]["invite"]["token"]

    sheet = await staff.post("/api/users/invites", json={"cohort": "VLG-2027"})
    assert sheet.status_code == 201, sheet.text
    body = sheet.json()
    assert [entry["user"]["login"] for entry in body["invites"]] == ["bilal.k"]
    entry = body["invites"][0]
    assert entry["user"]["name"] == "Bilal K." and entry["invite"]["qr_svg"].startswith("<svg")
    assert entry["invite"]["expires_at"]
    # The new invite works, the old one no longer does.
    assert (await anon.get(f"/api/invites/{entry['invite']['token']}")).status_code == 200
    assert (await anon.get(f"/api/invites/{old_bilal}")).status_code == 404


async def test_staff_make_sheets_for_their_own_site_only(staff):
    other = await staff.post("/api/users/invites", json={"cohort": "PFS-2026", "site": "pfs"})
    assert other.status_code == 403 and other.json()["code"] == "not_your_site"
    empty = await staff.post("/api/users/invites", json={"cohort": "   "})
    assert empty.status_code == 201 and empty.json()["invites"] == []
    missing = await staff.post("/api/users/invites", json={})
    assert missing.status_code == 400 and missing.json()["code"] == "invalid_input"
    # The demo learners all chose a password: nothing to print; one who has not gets the only invite.
    assert (await staff.post("/api/users/invites", json={"cohort": "VLG-2026"})).json()["invites"] == []
    await db.fetch("UPDATE app_user SET password_hash = NULL WHERE login = 'learner2'")
    demo = (await staff.post("/api/users/invites", json={"cohort": "VLG-2026"})).json()["invites"]
    assert [entry["user"]["login"] for entry in demo] == ["learner2"]
