"""fablab/hooks/admission.py: a check one domain declares refuses at every writer, and nothing is written.

The checks themselves (suspensions, lapsed trainings, consents, minimum ages) are tested in their
own domains; here a stand-in check proves the writers ask it: a booking of a unit, of any unit of a
kind, and a check-out at the desk (walk-up or booked)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fablab.domain import clock
from fablab.hooks import admission
from fablab.platform import db
from fablab.domain.errors import PolicyViolation
from tests.support.bookings import assert_problem, book

seen: list[admission.Taking] = []


async def refuse_learner2(taking: admission.Taking) -> None:
    seen.append(taking)
    if taking.person_id == await db.fetchval("SELECT id FROM app_user WHERE login = 'learner2'"):
        raise PolicyViolation("learner2 may take nothing today.", code="test_refusal")


@pytest.fixture
def refusing():
    seen.clear()
    admission.register(refuse_learner2)
    yield seen
    admission.unregister(refuse_learner2)


async def count(table: str) -> int:
    return await db.fetchval(f"SELECT count(*) FROM {table}")


async def test_a_declared_check_refuses_bookings_and_loans_and_nothing_is_written(refusing, staff, learner):
    bookings, movements = await count("booking"), await count("movement")
    assert_problem(await book(staff, "VLG-ROOM-001", user="learner2"), 422, "test_refusal")
    assert_problem(await book(staff, None, site="vlg", kind="room", user="learner2"), 422, "test_refusal")
    due = (clock.now() + timedelta(hours=2)).isoformat()
    walk_up = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-003", "user": "learner2", "due_at": due})
    assert_problem(walk_up, 422, "test_refusal")
    assert (await count("booking"), await count("movement")) == (bookings, movements)
    # What the check was told: who, where, what, and who acted.
    rooms = [t for t in refusing if t.what == "booking" and t.kind == "room"]
    assert len(rooms) == 2 and all(t.actor_is_staff for t in rooms)
    assert any(t.resource_id is None for t in rooms) and any(t.resource_id for t in rooms)
    # Anyone else passes the same check, through the same writers.
    assert (await book(learner, "VLG-ROOM-001")).status_code == 201
    lent = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-003", "user": "learner1", "due_at": due})
    assert lent.status_code == 201, lent.text
    assert [(t.what, t.kind) for t in refusing if t.what == "loan"] == [("loan", "laptop")]


def test_the_app_registers_each_domains_declared_checks():
    from fablab import routes_registry

    declared = {admission.name_of(c) for d in routes_registry.DOMAINS for c in getattr(d, "ADMISSION", ())}
    assert declared <= set(admission.registered())


asked: list[admission.Taking] = []


async def refuse_when_asked(taking: admission.Taking) -> None:
    asked.append(taking)
    raise PolicyViolation("Refused by the probed check.", code="test_probed_refusal")


def learner2_at_vlg(t: admission.TakingSql) -> str:
    return (f"{t.person} = (SELECT id FROM app_user WHERE login = 'learner2') "
            f"AND {t.site} = (SELECT id FROM site WHERE slug = 'vlg') AND {t.starts_at} <= {t.now} + interval '1 year'")


@pytest.fixture
def probed():
    asked.clear()
    check = admission.Check(refuse_when_asked, learner2_at_vlg)
    admission.register(check)
    yield asked
    admission.unregister(check)


async def test_a_check_whose_probe_is_false_is_not_asked_and_one_whose_probe_holds_refuses(probed, staff, learner):
    """The probes are read with the booking's context (a unit) or in one statement of their own (a
    kind, a loan): the verdict is asked only where its probe holds, and then it refuses."""
    assert (await book(learner, "VLG-ROOM-001")).status_code == 201
    assert (await book(staff, None, site="vlg", kind="room", user="learner1")).status_code == 201
    assert probed == []
    assert_problem(await book(staff, "VLG-ROOM-001", user="learner2"), 422, "test_probed_refusal")
    assert_problem(await book(staff, None, site="vlg", kind="room", user="learner2"), 422, "test_probed_refusal")
    due = (clock.now() + timedelta(hours=2)).isoformat()
    walk_up = await staff.post("/api/checkouts", json={"tag": "VLG-LAP-003", "user": "learner2", "due_at": due})
    assert_problem(walk_up, 422, "test_probed_refusal")
    # The walk-up is refused at its booking, the first thing it writes.
    assert [(t.what, t.resource_id is None) for t in probed] == [("booking", False), ("booking", True), ("booking", False)]
