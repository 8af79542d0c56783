"""Minors and consents (issue 30): a minor without a guardian's consent to participation is refused a
workshop seat, a booking and a loan (`422 consent_required`); a consent signed on screen lets them in;
once it has expired (the clock moved past it) they are refused again. A policy's minimum age refuses
a 15-year-old a 3D printer (`422 too_young`) unless a trainer books it for them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from fablab.domain import clock
from fablab.platform import db
from fablab.domain.errors import DomainError
from fablab.desk import checkout
from tests.support.bookings import DAY, PARIS, assert_problem, at, book, ordinary_day_after
from tests.support.clients import make_client, sign_in
from tests.support.desk import desk
from tests.support.minors import add_guardian, consent_text, make_age, sign
from tests.support.workshops import new_workshop

pytestmark = pytest.mark.pg_engine

DAY2 = ordinary_day_after(DAY)


async def sign_up(staff, person_id: int, day=DAY):
    workshop = await new_workshop(staff, starts_at=at(14, day=day), ends_at=at(17, day=day))
    return await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": person_id})


async def lend(tag: str, day=DAY) -> dict:
    """A walk-up loan at the desk at 10:00 on `day`, due at 17:00 (the desk's own code, its own `now`)."""
    start = datetime.combine(day, time(10), PARIS)
    return await checkout.check_out(actor=await desk(), tag=tag, user_ref="learner1",
                                    due_at=start + timedelta(hours=7), now=start)


async def refused_loan(tag: str, day=DAY) -> DomainError:
    with pytest.raises(DomainError) as refused:
        await lend(tag, day)
    return refused.value


async def test_a_minor_takes_part_only_with_a_valid_consent(app, staff, admin, monkeypatch):
    person = await make_age("learner1", 13, DAY)
    refused = await sign_up(staff, person)
    assert_problem(refused, 422, "consent_required")
    assert refused.json()["missing"] == ["participation"] and refused.json()["has_guardian"] is False
    assert_problem(await book(staff, user=person), 422, "consent_required")
    assert (await refused_loan("VLG-LAP-003")).code == "consent_required"

    text = await consent_text(admin)
    guardian = await add_guardian(staff, person)
    consent = await sign(staff, person, guardian["id"], text["version"], expires_on=DAY.isoformat())
    assert consent["method"] == "signed" and consent["text_seen"] == text["text"]
    assert len(consent["signed_hash"]) == 64 and consent["covers"] == ["participation"]
    assert (await sign_up(staff, person)).status_code == 201
    assert (await book(staff, user=person)).status_code == 201
    assert (await lend("VLG-LAP-003"))["holder"].id == person

    # The day after the consent's last day, with the clock moved there: refused again.
    moved = datetime.combine(DAY2, time(8), PARIS)
    monkeypatch.setattr(clock, "now", lambda: moved)
    async with make_client(app) as client:
        staff_later = await sign_in(client, "staff.vlg")
        assert_problem(await sign_up(staff_later, person, DAY2), 422, "consent_required")
        assert_problem(await book(staff_later, day=DAY2, user=person), 422, "consent_required")
    assert (await refused_loan("VLG-LAP-004", DAY2)).code == "consent_required"


async def test_the_staff_override_never_passes_a_missing_consent(staff):
    person = await make_age("learner1", 13, DAY)
    assert_problem(await book(staff, user=person, override_policy=True), 422, "consent_required")


async def test_adults_and_people_of_unknown_age_need_no_consent(staff):
    await make_age("learner1", 18, DAY)
    assert (await book(staff, user="learner1")).status_code == 201
    assert (await book(staff, resource="VLG-ROOM-002", user="learner2")).status_code == 201  # no birth date


async def test_a_revoked_consent_covers_nothing(staff, admin):
    person = await make_age("learner1", 13, DAY)
    text = await consent_text(admin)
    consent = await sign(staff, person, (await add_guardian(staff, person))["id"], text["version"])
    revoked = await staff.post(f"/api/consents/{consent['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_by"] == "Équipe Villeneuve-la-Garenne"
    assert_problem(await book(staff, user=person), 422, "consent_required")
    assert_problem(await staff.post(f"/api/consents/{consent['id']}/revoke"), 409, "already_revoked")


async def printer_min_age(admin, min_age: int | None) -> None:
    rules = next(row for row in (await admin.get("/api/policies", params={"site": "vlg"})).json()
                 if row["kind"] == "printer_3d" and row["resource"] is None)
    body = {key: rules[key] for key in ("unit", "slot_minutes", "min_length", "max_length", "max_days_ahead",
                                        "buffer_minutes", "may_end_after_closing", "checkout_grace_minutes",
                                        "max_active_bookings", "max_hours_per_week", "training_id")}
    response = await admin.put("/api/policies/vlg/printer_3d", json={**body, "min_age": min_age})
    assert response.status_code == 200 and response.json()["min_age"] == min_age, response.text


async def test_a_15_year_old_is_refused_a_printer_unless_a_trainer_books_it(app, staff, admin):
    person = await make_age("learner3", 15, DAY)  # trained on the printers
    paper = await staff.post(f"/api/users/{person}/consents", json={"covers": ["participation"]})
    assert paper.status_code == 201 and paper.json()["method"] == "paper"
    assert paper.json()["recorded_by"] == "Équipe Villeneuve-la-Garenne" and paper.json()["signature"] is None
    async with make_client(app) as client:
        learner3 = await sign_in(client, "learner3")
        own = await book(learner3, resource="VLG-P3D-001")  # before the rule
        assert own.status_code == 201, own.text
        await printer_min_age(admin, 16)
        refused = await book(learner3, resource="VLG-P3D-002")
        assert_problem(refused, 422, "too_young")
        assert refused.json()["min_age"] == 16 and refused.json()["age"] == 15
    booked = await book(staff, resource="VLG-P3D-002", user=person)
    assert booked.status_code == 201, booked.text
    # At the desk: what the trainer booked is handed over; the learner's own booking is not.
    start = datetime.fromisoformat(booked.json()["starts_at"])
    lent = await checkout.check_out(actor=await desk(), tag="VLG-P3D-002", user_ref="learner3",
                                    booking_id=booked.json()["id"], due_at=None, now=start)
    assert lent["holder"].id == person
    with pytest.raises(DomainError) as desk_refused:
        await checkout.check_out(actor=await desk(), tag="VLG-P3D-001", user_ref="learner3",
                                 booking_id=own.json()["id"], due_at=None, now=start)
    assert desk_refused.value.code == "too_young"


async def test_a_unit_policy_sets_its_own_minimum_age(app, staff, admin):
    person = await make_age("learner1", 13, DAY)
    await staff.post(f"/api/users/{person}/consents", json={"covers": ["participation"]})
    rules = (await admin.get("/api/policies", params={"site": "vlg"})).json()
    room = next(row for row in rules if row["kind"] == "room" and row["resource"] is None)
    body = {key: room[key] for key in room if key not in ("site", "kind", "resource", "training", "updated_at")}
    assert (await admin.put("/api/resources/VLG-ROOM-001/policy", json={**body, "min_age": 14})).status_code == 200
    async with make_client(app) as client:
        learner1 = await sign_in(client, "learner1")
        assert_problem(await book(learner1), 422, "too_young")
        assert (await book(learner1, resource="VLG-ROOM-002")).status_code == 201


async def test_consents_are_refused_for_adults_and_without_what_they_cover(staff, admin):
    adult = await make_age("learner1", 19, DAY)
    assert_problem(await staff.post(f"/api/users/{adult}/guardians", json={"name": "X", "phone": "06"}), 409,
                   "not_a_minor")
    person = await make_age("learner2", 12, DAY)
    assert_problem(await staff.post(f"/api/users/{person}/guardians", json={"name": "Sans contact"}), 400,
                   "guardian_unreachable")
    assert (await staff.post(f"/api/users/{person}/consents", json={"covers": []})).status_code == 400
    backwards = {"covers": ["participation"], "starts_on": DAY.isoformat(), "expires_on": "2020-01-01"}
    assert_problem(await staff.post(f"/api/users/{person}/consents", json=backwards), 400, "invalid_consent")
    guardian = await add_guardian(staff, person)
    unsigned = {"covers": ["participation"], "guardian": guardian["id"], "signature": {"strokes": []},
                "text_version": 1}
    assert_problem(await staff.post(f"/api/users/{person}/consents", json=unsigned), 400, "invalid_signature")
    signed = {**unsigned, "signature": {"strokes": [[[10, 10], [590, 230]]]}}
    assert_problem(await staff.post(f"/api/users/{person}/consents", json=signed), 409, "no_consent_text")
    await consent_text(admin)
    await consent_text(admin, text="Version 2 du texte.")
    assert_problem(await staff.post(f"/api/users/{person}/consents", json=signed), 409, "consent_text_changed")
    assert await db.fetchval("SELECT count(*) FROM consent") == 0


async def test_staff_of_another_site_see_no_minor(admin, app):
    person = await make_age("learner1", 13, DAY)
    async with make_client(app) as client:
        other = await sign_in(client, "staff.pfs")
        assert_problem(await other.get(f"/api/users/{person}/minor"), 403, "not_your_site")
        assert_problem(await other.post(f"/api/users/{person}/consents", json={"covers": ["participation"]}), 403,
                       "not_your_site")
