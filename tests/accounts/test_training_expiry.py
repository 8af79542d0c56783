"""Trainings that expire (issue 31): for ever, days after the grant, until a date, or after a period
without booking what they unlock. A lapsed one refuses with `training_expired`, naming the training
and how to renew it; staff granting it again renews it. The clock is moved (fablab.domain.clock)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from fablab.domain import clock
from fablab.platform import db
from fablab.accounts.training_validity import Validity, certification_end, check_validity
from tests.support.bookings import PARIS, assert_problem, ordinary_day_after

UTC = timezone.utc
GRANTED = datetime(2026, 1, 10, 9, tzinfo=UTC)


def test_each_validity_ends_where_it_says():
    end = lambda rule, **kw: certification_end(rule, granted_at=GRANTED, expires_at=kw.get("expires_at"),  # noqa: E731
                                               last_used_at=kw.get("used"))
    assert end(Validity()) is None
    assert end(Validity("days", valid_days=90)) == GRANTED + timedelta(days=90)
    assert end(Validity("until", valid_until=date(2026, 6, 30))) == datetime(2026, 7, 1, tzinfo=UTC)
    idle = Validity("idle", idle_days=180)
    assert end(idle) == GRANTED + timedelta(days=180)
    used = GRANTED + timedelta(days=100)
    assert end(idle, used=used) == used + timedelta(days=180)  # each booking extends it
    # An end staff set at the grant comes first when earlier.
    assert end(idle, expires_at=GRANTED + timedelta(days=30)) == GRANTED + timedelta(days=30)
    assert check_validity(Validity("idle")) == "idle_days" and check_validity(Validity("until")) == "valid_until"


async def printer_training() -> int:
    return await db.fetchval("SELECT training_id FROM policy p JOIN site s ON s.id = p.site_id "
                             "WHERE s.slug = 'vlg' AND p.kind = 'printer_3d' AND p.resource_id IS NULL")


def printer_slot(now: datetime) -> dict:
    day = ordinary_day_after(now.astimezone(PARIS).date() + timedelta(days=1))
    start = datetime.combine(day, time(10), PARIS)
    return {"resource": "VLG-P3D-001", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat()}


async def test_a_training_unused_for_six_months_is_refused_then_renewed(app, admin, staff, monkeypatch):
    from tests.support.clients import make_client, sign_in

    training = await printer_training()
    bad = await admin.put(f"/api/trainings/{training}/validity", json={"validity": "idle"})
    assert_problem(bad, 400, "invalid_validity")
    saved = await admin.put(f"/api/trainings/{training}/validity", json={"validity": "idle", "idle_days": 180})
    assert saved.status_code == 200 and (saved.json()["validity"], saved.json()["idle_days"]) == ("idle", 180)
    learner3 = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner3'")
    real_now = clock.now()
    await db.fetch("UPDATE certification SET granted_at = $2 WHERE user_id = $1", learner3,
                   real_now - timedelta(days=20))
    async with make_client(app) as client:
        trained = await sign_in(client, "learner3")
        mine = (await trained.get("/api/me/trainings")).json()
        assert [(c["training"], c["validity"], c["expired"]) for c in mine] == [("Impression 3D – bases", "idle", False)]
        assert datetime.fromisoformat(mine[0]["ends_at"]) == real_now - timedelta(days=20) + timedelta(days=180)

        # Six months and more later, without a booking of a printer meanwhile (the sessions kept).
        later = real_now + timedelta(days=200)
        await db.fetch("UPDATE user_session SET expires_at = expires_at + interval '400 days'")
        monkeypatch.setattr(clock, "now", lambda: later)
        refused = await trained.post("/api/bookings", json=printer_slot(later))
        assert_problem(refused, 422, "training_expired")
        body = refused.json()
        assert (body["training"], body["training_id"], body["reason"]) == ("Impression 3D – bases", training, "idle")
        assert "grant the training again" in body["renew"]
        assert (await trained.get("/api/me/trainings")).json()[0]["expired"] is True
        # Nothing was booked; a room (no training needed) is still fine.
        assert await db.fetchval("SELECT count(*) FROM booking WHERE user_id = $1 AND resource_id = "
                                 "(SELECT id FROM resource WHERE tag = 'VLG-P3D-001')", learner3) == 0

        # Staff grant it again: renewed from now (the moved clock), and the booking goes through.
        renewed = await staff.post(f"/api/users/{learner3}/certifications", json={"training_id": training})
        assert renewed.status_code == 201, renewed.text
        assert [c["expired"] for c in renewed.json()["certifications"]] == [False]
        booked = await trained.post("/api/bookings", json=printer_slot(later))
        assert booked.status_code == 201, booked.text


async def test_a_training_valid_for_some_days_or_until_a_date(app, admin, monkeypatch):
    from tests.support.clients import make_client, sign_in

    training = await printer_training()
    past = (clock.now() - timedelta(days=3)).date().isoformat()
    assert (await admin.put(f"/api/trainings/{training}/validity",
                            json={"validity": "until", "valid_until": past})).status_code == 200
    async with make_client(app) as client:
        trained = await sign_in(client, "learner3")
        refused = await trained.post("/api/bookings", json=printer_slot(clock.now()))
        assert_problem(refused, 422, "training_expired")
        assert refused.json()["reason"] == "until"
        saved = await admin.put(f"/api/trainings/{training}/validity", json={"validity": "days", "valid_days": 365,
                                                                          "valid_until": past})
        # Only the fields of the chosen validity are kept.
        assert (saved.json()["valid_days"], saved.json()["valid_until"]) == (365, None)
        assert (await trained.post("/api/bookings", json=printer_slot(clock.now()))).status_code == 201
        listed = (await admin.get("/api/trainings")).json()
        assert [(t["validity"], t["valid_days"]) for t in listed] == [("days", 365)]
