"""Participants are told what the system did to their sign-up: a seat from the waiting list, a workshop
cancelled. The app shows it at once; the reminders' job mails it once when there is an address (the
workshops' REMINDER_SOURCES)."""

from __future__ import annotations

import pytest

from fablab.platform import db
from fablab.platform.mail import SmtpSettings
from fablab.reports import reminders
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
    assert (await reminders.send_due_reminders(mail_box.smtp))["sent"] == 1
    assert (await reminders.send_due_reminders(mail_box.smtp))["sent"] == 0
    [message] = mail_box.messages
    assert message["To"] == "learner1@example.org" and "Impression 3D" in message["Subject"]
    assert message["Message-ID"].startswith(f"<workshop-notice.{waiting['id']}.seated@")
    # Its sent-log row is about the sign-up; the sign-up records it told.
    assert [tuple(row.values()) for row in await db.fetch("SELECT subject, kind, booking_id FROM reminder_log")] == [
        (f"workshop_registration:{waiting['id']}", "seated", None)]
    assert await db.fetchval("SELECT told_at IS NOT NULL FROM registration WHERE id = $1", waiting["id"])


async def test_a_cancelled_workshop_tells_each_person(staff, learner, mail_box):
    await db.fetch("UPDATE app_user SET email = 'learner1@example.org' WHERE login = 'learner1'")
    workshop = await new_workshop(staff, capacity=3)
    await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})
    no_address = await new_participant(staff)
    await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": no_address["id"]})
    await staff.post(f"/api/workshops/{workshop['id']}/cancel", json={"note": "Formateur malade"})
    counts = await reminders.send_due_reminders(mail_box.smtp)
    assert counts == {"sent": 1, "skipped": 0, "failed": 0}  # the one without an address: the app told them
    [message] = mail_box.messages
    assert "annulé" in message["Subject"] and "Formateur malade" in message.get_content()


async def test_a_refused_notice_is_counted_and_given_up_after_ten_attempts(staff, learner, monkeypatch):
    await db.fetch("UPDATE app_user SET email = 'learner1@example.org' WHERE login = 'learner1'")
    workshop = await new_workshop(staff, capacity=3)
    mine = (await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})).json()
    await staff.post(f"/api/workshops/{workshop['id']}/cancel", json={"note": "Formateur malade"})

    async def refuse(smtp, message):
        raise OSError("connection refused")

    monkeypatch.setattr(reminders, "send_message", refuse)
    smtp = SmtpSettings(host="127.0.0.1", port=2525, sender="Fablab <fablab@example.org>", starttls=False)
    assert (await reminders.send_due_reminders(smtp))["failed"] == 1
    assert await db.fetchval("SELECT tell_attempts FROM registration WHERE id = $1", mine["id"]) == 1
    await db.fetch("UPDATE registration SET tell_attempts = 10 WHERE id = $1", mine["id"])
    assert await reminders.send_due_reminders(smtp) == {"sent": 0, "skipped": 0, "failed": 0}
