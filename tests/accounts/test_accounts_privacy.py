"""Personal data: a user's own export, and anonymisation after the admin's retention period."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fablab.platform import db
from fablab.accounts import privacy
from fablab.people import lifecycle
from fablab.accounts.routes import JOBS as ACCOUNT_JOBS
from fablab.people.routes import JOBS

NOW = datetime.now(timezone.utc)


async def add_booking(login: str, tag: str, *, days_ago: int, status: str, purpose: str = "Projet perso",
                      length: timedelta = timedelta(hours=2)) -> int:
    """A booking that ended `days_ago` days ago, with its check-out (and check-in once returned)."""
    user = await db.fetchval("SELECT id FROM app_user WHERE login = $1", login)
    staff = await db.fetchval("SELECT id FROM app_user WHERE login = 'staff.vlg'")
    resource = await db.fetchone("SELECT id, site_id, kind FROM resource WHERE tag = $1", tag)
    ends = NOW - timedelta(days=days_ago)
    starts = ends - length
    booking = await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, "
        "status, purpose) VALUES ($1, $2, $3, $4, $4, $5, $6, $6, $7, $8) RETURNING id",
        resource["id"], resource["site_id"], resource["kind"], user, starts, ends, status, purpose,
    )
    if status in ("checked_out", "returned"):
        await db.fetch(
            "INSERT INTO movement (resource_id, kind, booking_id, holder_id, staff_id, site_id, at, note) "
            "VALUES ($1, 'check_out', $2, $3, $4, $5, $6, 'chargeur fourni')",
            resource["id"], booking, user, staff, resource["site_id"], starts,
        )
    if status == "returned":
        await db.fetch(
            "INSERT INTO movement (resource_id, kind, booking_id, holder_id, staff_id, site_id, at, condition) "
            "VALUES ($1, 'check_in', $2, $3, $4, $5, $6, 'ok')",
            resource["id"], booking, user, staff, resource["site_id"], ends,
        )
    return booking


async def test_my_data_is_mine_only_and_has_no_secrets(learner, demo):
    mine = await add_booking("learner1", "VLG-LAP-001", days_ago=3, status="returned")
    await add_booking("learner2", "VLG-LAP-002", days_ago=3, status="returned", purpose="secret de learner2")
    response = await learner.get("/api/me/data")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["account"]["login"] == "learner1" and data["account"]["site"] == "vlg"
    assert [b["id"] for b in data["bookings"]] == [mine]
    assert data["bookings"][0]["resource"] == "VLG-LAP-001"
    assert [(m["kind"], m["involvement"]) for m in data["movements"]] == [("check_out", "holder"), ("check_in", "holder")]
    assert data["sessions"] and all(set(s) == {"created_at", "expires_at", "revoked_at"} for s in data["sessions"])
    assert "learner2" not in response.text and "secret de learner2" not in response.text
    assert "hash" not in response.text and "argon2" not in response.text


async def test_retention_setting_is_admin_only(admin, staff):
    assert (await admin.get("/api/admin/retention")).json() == {"days": privacy.DEFAULT_RETENTION_DAYS,
                                                                 "is_default": True}
    assert (await admin.put("/api/admin/retention", json={"days": 365})).json() == {"days": 365, "is_default": False}
    assert (await admin.get("/api/admin/retention")).json() == {"days": 365, "is_default": False}
    assert (await admin.put("/api/admin/retention", json={"days": 3})).status_code == 400
    assert (await admin.put("/api/admin/retention", json={"days": 400, "extra": 1})).status_code == 400
    assert (await staff.put("/api/admin/retention", json={"days": 30})).status_code == 403
    assert await privacy.retention() == (365, False)


async def test_anonymisation_forgets_the_person_and_keeps_the_numbers(demo):
    await privacy.set_retention(365)
    old_returned = await add_booking("learner1", "VLG-LAP-001", days_ago=400, status="returned")
    old_cancelled = await add_booking("learner1", "VLG-ROOM-001", days_ago=400, status="cancelled")
    recent = await add_booking("learner1", "VLG-LAP-002", days_ago=30, status="returned")
    # A long loan still out: its booking is active, so its check-out keeps the holder.
    still_out = await add_booking("learner2", "VLG-LAP-003", days_ago=-1, status="checked_out",
                                  length=timedelta(days=500))
    sequence_before = await db.fetchval("SELECT sequence FROM booking WHERE id = $1", old_returned)

    result = await lifecycle.anonymise_expired()
    assert (result["tables"]["booking"], result["tables"]["movement"]) == (2, 2)

    rows = {row["id"]: row for row in await db.fetch("SELECT * FROM booking")}
    for booking_id in (old_returned, old_cancelled):
        assert rows[booking_id]["user_id"] is None and rows[booking_id]["created_by_id"] is None
        assert rows[booking_id]["purpose"] == ""
    assert rows[old_returned]["sequence"] == sequence_before + 1, "calendar feeds see the change"
    assert rows[old_returned]["starts_at"] and rows[old_returned]["status"] == "returned"
    assert rows[recent]["user_id"] is not None and rows[recent]["purpose"] == "Projet perso"
    assert rows[still_out]["user_id"] is not None
    moved = await db.fetch("SELECT booking_id, holder_id, staff_id, note, kind FROM movement ORDER BY id")
    for movement in moved:
        if movement["booking_id"] == old_returned:
            assert (movement["holder_id"], movement["staff_id"], movement["note"]) == (None, None, "")
        else:
            assert movement["holder_id"] is not None
    assert len(moved) == 5, "no movement is deleted"
    assert (await lifecycle.anonymise_expired())["tables"]["booking"] == 0, "idempotent"


async def test_anonymisation_job_is_registered_and_runs(demo):
    job = next(job for job in JOBS if job.name == "people.anonymise")
    await add_booking("learner1", "VLG-LAP-001", days_ago=privacy.DEFAULT_RETENTION_DAYS + 5, status="no_show")
    await job.run()
    assert await db.fetchval("SELECT count(*) FROM booking WHERE user_id IS NOT NULL") == 0
    sweep = next(job for job in ACCOUNT_JOBS if job.name == "accounts.sweep")
    await sweep.run()
