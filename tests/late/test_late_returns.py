"""Late returns (issue 31): a strike for each return later than the site's grace, a suspension after
too many within the window, refused bookings and loans with `suspended`, and staff lifting it with a
reason that is kept. The desk's check-ins are made at moved times (the desk's own `now`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest

from fablab.domain import clock
from fablab.hooks import admission
from fablab.platform import db
from fablab.domain.errors import PolicyViolation
from fablab.desk import checkin, checkout
from fablab.late import service
from tests.support.bookings import PARIS, assert_problem, book
from tests.support.desk import desk

pytestmark = pytest.mark.pg_engine

POLICY = {"enabled": True, "grace_minutes": 15, "strikes": 3, "window_days": 30, "suspension_days": 14}


def past_weekdays(count: int, first_back: int = 20, step: int = 6) -> list[datetime]:
    """10:00 in Paris on `count` ordinary weekdays, the first about `first_back` days ago."""
    from fablab.sites.calendar import holiday_dates

    days, day = [], datetime.now(PARIS).date() - timedelta(days=first_back)
    while len(days) < count:
        if day.weekday() < 5 and day not in holiday_dates([day.year]):
            days.append(datetime.combine(day, time(10), PARIS))
            day += timedelta(days=step)
        else:
            day += timedelta(days=1)
    return days


async def late_loan(actor, start: datetime, late_by: timedelta, tag: str = "VLG-LAP-003",
                    learner: str = "learner1") -> dict:
    """A two-hour walk-up loan handed over at `start`, brought back `late_by` after its due time."""
    due = start + timedelta(hours=2)
    await checkout.check_out(actor=actor, tag=tag, user_ref=learner, due_at=due, now=start)
    return await checkin.check_in(actor=actor, tag=tag, now=due + late_by)


async def learner_id(login: str = "learner1") -> int:
    return await db.fetchval("SELECT id FROM app_user WHERE login = $1", login)


async def test_late_returns_count_only_when_the_site_has_a_policy(admin):
    actor = await desk()
    await late_loan(actor, past_weekdays(1)[0], timedelta(hours=3))
    assert await db.fetchval("SELECT count(*) FROM late_strike") == 0  # off by default
    shown = await admin.get("/api/sites/vlg/late-policy")
    assert shown.status_code == 200 and shown.json()["enabled"] is False
    saved = await admin.put("/api/sites/vlg/late-policy", json=POLICY)
    assert saved.status_code == 200 and saved.json() == {"site": "vlg", **POLICY}
    first, second = past_weekdays(2, first_back=12)
    await late_loan(actor, first, timedelta(minutes=10))  # within the grace
    await late_loan(actor, second, timedelta(minutes=40))
    strikes = await db.fetch("SELECT user_id, due_at, returned_at FROM late_strike")
    assert [(row["user_id"], row["returned_at"] - row["due_at"]) for row in strikes] == [
        (await learner_id(), timedelta(minutes=40))]
    assert await db.fetchval("SELECT count(*) FROM suspension") == 0


async def test_three_late_returns_in_30_days_suspend_until_staff_lift_it(admin, staff, learner):
    assert (await admin.put("/api/sites/vlg/late-policy", json=POLICY)).status_code == 200
    actor = await desk()
    starts = past_weekdays(3, first_back=20, step=6)
    for start in starts:
        await late_loan(actor, start, timedelta(days=1))
    third_return = starts[-1] + timedelta(hours=2, days=1)
    mine = (await learner.get("/api/me/late-returns")).json()
    assert mine["suspended"] is True and len(mine["strikes"]) == 3
    active = mine["suspensions"][0]
    assert (active["site"], active["strikes"], active["window_days"], active["active"]) == ("vlg", 3, 30, True)
    assert datetime.fromisoformat(active["ends_at"]) == third_return + timedelta(days=14)

    # Refused everywhere a person takes something at the site: a booking, a loan at the desk.
    refused = await book(learner, "VLG-ROOM-001")
    assert_problem(refused, 422, "suspended")
    assert datetime.fromisoformat(refused.json()["until"]) == datetime.fromisoformat(active["ends_at"])
    assert refused.json()["reason"] == "late_returns" and refused.json()["strikes"] == 3
    due = (clock.now() + timedelta(hours=2)).isoformat()
    loan = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-003", "user": "learner1", "due_at": due})
    assert_problem(loan, 422, "suspended")
    # Another learner is not concerned.
    assert (await book(staff, "VLG-ROOM-001", user="learner2")).status_code == 201

    # Staff see it on the learner's record, and lift it with a reason, which is kept.
    target = await learner_id()
    seen = (await staff.get(f"/api/users/{target}/late-returns")).json()
    assert seen["suspended"] is True
    assert_problem(await staff.post(f"/api/users/{target}/suspension/lift", json={"reason": "  "}), 400,
                   "lift_reason_required")
    lifted = await staff.post(f"/api/users/{target}/suspension/lift", json={"reason": "Absence justifiée (stage)"})
    assert lifted.status_code == 200, lifted.text
    after = lifted.json()
    assert after["suspended"] is False
    assert (after["suspensions"][0]["lift_reason"], after["suspensions"][0]["lifted_by"]) == (
        "Absence justifiée (stage)", "Équipe Villeneuve-la-Garenne")
    assert_problem(await staff.post(f"/api/users/{target}/suspension/lift", json={"reason": "encore"}), 409,
                   "not_suspended")
    assert (await book(learner, "VLG-ROOM-001", start=(14, 0), end=(15, 0))).status_code == 201
    exported = (await learner.get("/api/me/data")).json()
    assert exported["suspensions"][0]["lift_reason"] == "Absence justifiée (stage)"
    assert len(exported["late_strikes"]) == 3


async def test_a_suspension_ends_by_itself_and_old_strikes_do_not_count_twice(admin, monkeypatch):
    assert (await admin.put("/api/sites/vlg/late-policy", json={**POLICY, "suspension_days": 7})).status_code == 200
    actor = await desk()
    starts = past_weekdays(4, first_back=26, step=4)
    for start in starts[:3]:
        await late_loan(actor, start, timedelta(hours=5))
    person, site = await learner_id(), await db.fetchval("SELECT id FROM site WHERE slug = 'vlg'")
    taking = admission.Taking(person_id=person, site_id=site, what="booking", starts_at=clock.now(),
                              ends_at=clock.now() + timedelta(hours=1), actor_id=person, actor_is_staff=False,
                              kind="room")
    ends_at = await db.fetchval("SELECT ends_at FROM suspension WHERE user_id = $1", person)
    monkeypatch.setattr(clock, "now", lambda: ends_at - timedelta(minutes=1))
    with pytest.raises(PolicyViolation) as refused:
        await service.refuse_suspended(taking)
    assert refused.value.code == "suspended"
    monkeypatch.setattr(clock, "now", lambda: ends_at + timedelta(minutes=1))
    await service.refuse_suspended(taking)  # over: nothing raised
    # The staff override of the booking rules passes it.
    monkeypatch.setattr(clock, "now", lambda: ends_at - timedelta(minutes=1))
    await service.refuse_suspended(replace(taking, enforce_policy=False))
    # A fourth late return after the suspension starts counting afresh: no new suspension.
    monkeypatch.undo()
    await late_loan(actor, starts[3], timedelta(hours=5))
    assert await db.fetchval("SELECT count(*) FROM suspension WHERE user_id = $1", person) == 1


async def test_staff_of_another_site_cannot_see_nor_lift(app, admin):
    from tests.support.clients import make_client, sign_in

    target = await learner_id()
    async with make_client(app) as client:
        other = await sign_in(client, "staff.pan")
        assert_problem(await other.get(f"/api/users/{target}/late-returns"), 403, "not_your_site")
        assert_problem(await other.post(f"/api/users/{target}/suspension/lift", json={"reason": "x"}), 403,
                       "not_your_site")
