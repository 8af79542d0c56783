"""Participants are told what the system did to their sign-up: a seat from the waiting list, a workshop
cancelled. The app shows it at once; the workshop-notices job mails it once when there is an address."""

from __future__ import annotations

import pytest

from fablab.platform import db
from fablab.workshops import notices
from tests.support.mailbox import running_mailbox
from tests.support.workshops import new_participant, new_workshop

pytestmark = pytest.mark.pg_engine


@pytest.fixture
def mail_box():
    with running_mailbox() as box:
        yield box


async def test_the_person_seated_from_the_waiting_list_is_told_once(staff, learner, mail_box):
    await db.fetch("UPDATE app_user SET email = 'learner1@example.org' WHERE login = 'learner1'")
    workshop = await new_workshop(staff, capacity=1, title="Impression 3D")
    first = await new_participant(staff)
    seat = (await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": first["id"]})).json()
    waiting = (await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})).json()
    assert waiting["status"] == "waiting"
    await staff.delete(f"/api/workshops/{workshop['id']}/registrations/{seat['id']}")

    [mine] = (await learner.get("/api/me/workshops")).json()
    assert mine["status"] == "registered" and mine["notice"] == "seated"
    assert (await notices.tell(mail_box.smtp))["sent"] == 1
    assert (await notices.tell(mail_box.smtp))["sent"] == 0
    [message] = mail_box.messages
    assert message["To"] == "learner1@example.org" and "Impression 3D" in message["Subject"]


async def test_a_cancelled_workshop_tells_each_person(staff, learner, mail_box):
    await db.fetch("UPDATE app_user SET email = 'learner1@example.org' WHERE login = 'learner1'")
    workshop = await new_workshop(staff, capacity=3)
    await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})
    no_address = await new_participant(staff)
    await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": no_address["id"]})
    await staff.post(f"/api/workshops/{workshop['id']}/cancel", json={"note": "Formateur malade"})
    counts = await notices.tell(mail_box.smtp)
    assert counts["sent"] == 1 and counts["in_app"] == 1
    [message] = mail_box.messages
    assert "annulé" in message["Subject"] and "Formateur malade" in message.get_content()
