"""Reminder e-mails against a real SMTP server on loopback (aiosmtpd): each goes out once,
whatever the number of senders, and a refused one goes out again on the next run, once."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from fablab.platform import db
from fablab.reports import reminders
from fablab.platform.mail import SmtpSettings, load_smtp_settings
from fablab.platform.settings import SettingsError
from tests.support.paths import ROOT
from tests.support.server import free_port

PARIS = ZoneInfo("Europe/Paris")
# Wednesday 25 November 2026, 13:30 in Villeneuve (UTC+1).
NOW = datetime(2026, 11, 25, 13, 30, tzinfo=PARIS)
LEARNER_MAIL, STAFF_MAIL = "ines@example.org", "equipe.vlg@example.org"


class Mailbox:
    """aiosmtpd handler keeping what it accepted; refuses the reminders named in `refuse` once each."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.refuse: set[str] = set()
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        # Slow acceptance keeps a first sender inside its transaction while a second one arrives.
        await asyncio.sleep(self.delay)
        with self.lock:
            key = message["X-Fablab-Reminder"]
            kind = key.split("/")[1]
            if kind in self.refuse:
                self.refuse.discard(kind)
                return "550 5.2.0 Mailbox unavailable, try later"
            self.messages.append(message)
        return "250 OK"

    def keys(self) -> Counter:
        return Counter((m["X-Fablab-Reminder"].split("/")[1], m["To"].addresses[0].addr_spec) for m in self.messages)


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def smtp(mailbox) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=mailbox.port, sender="Fablab <fablab@example.org>", starttls=False)


async def add_booking(tag: str, login: str, starts_at: datetime, ends_at: datetime, status: str, *,
                      created_at: datetime, checked_out_at: datetime | None = None) -> int:
    return await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, "
        "status, created_at, checked_out_at) "
        "SELECT r.id, r.site_id, r.kind, u.id, u.id, $3::timestamptz, $4::timestamptz, $4::timestamptz, $5::text, "
        "$6::timestamptz, $7::timestamptz FROM resource r, app_user u WHERE r.tag = $1 AND u.login = $2 RETURNING id",
        tag, login, starts_at, ends_at, status, created_at, checked_out_at)


def paris(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
async def due(demo):
    """At NOW: one booking about to start, one loan about to be due, one overdue; and bookings
    that call for nothing. Returns the ids of the three."""
    await db.fetch("UPDATE app_user SET email = $1 WHERE login = 'learner1'", LEARNER_MAIL)
    await db.fetch("UPDATE app_user SET email = $1 WHERE login = 'staff.vlg'", STAFF_MAIL)
    yesterday = paris(9, day=24)
    ids = {
        "booking_start": await add_booking("VLG-ROOM-001", "learner1", paris(14), paris(15), "confirmed",
                                           created_at=yesterday),
        "loan_due": await add_booking("VLG-LAP-001", "learner1", paris(9, day=24), paris(14), "checked_out",
                                      created_at=yesterday, checked_out_at=yesterday),
        "loan_overdue": await add_booking("VLG-LAP-002", "learner1", paris(9, day=24), paris(13), "checked_out",
                                          created_at=yesterday, checked_out_at=yesterday),
    }
    # learner2 has no e-mail address: nothing is sent to them.
    await add_booking("VLG-ROOM-002", "learner2", paris(14), paris(15), "confirmed", created_at=yesterday)
    # Not yet: starts at 16:00, its reminder is for 15:00.
    await add_booking("VLG-ROOM-003", "learner1", paris(16), paris(17), "confirmed", created_at=yesterday)
    # Booked ten minutes ago for 13:50: the learner knows.
    await add_booking("VLG-P3D-001", "learner1", paris(13, 50), paris(14, 50), "confirmed", created_at=paris(13, 20))
    return ids


EXPECTED = Counter({("booking_start", LEARNER_MAIL): 1, ("loan_due", LEARNER_MAIL): 1,
                    ("loan_overdue", LEARNER_MAIL): 1, ("loan_overdue", STAFF_MAIL): 1})


async def test_each_reminder_arrives_once_in_french_with_local_times(smtp, mailbox, due):
    first = await reminders.send_due_reminders(smtp, now=NOW)
    assert first == {"sent": 4, "skipped": 0, "failed": 0}
    again = await reminders.send_due_reminders(smtp, now=NOW + timedelta(minutes=1))
    assert again == {"sent": 0, "skipped": 4, "failed": 0}
    assert mailbox.keys() == EXPECTED

    by_key = {(m["X-Fablab-Reminder"].split("/")[1], m["To"].addresses[0].addr_spec): m for m in mailbox.messages}
    start = by_key[("booking_start", LEARNER_MAIL)]
    assert start["Subject"] == "Rappel : Salle Ada Lovelace, votre réservation commence à 14:00"
    body = start.get_content()
    assert "Salle Ada Lovelace (VLG-ROOM-001)" in body and "Fablab de Villeneuve-la-Garenne" in body
    assert "du mercredi 25 novembre à 14:00" in body and "au mercredi 25 novembre à 15:00" in body
    assert start["Auto-Submitted"] == "auto-generated" and start["From"] == "Fablab <fablab@example.org>"
    loan = by_key[("loan_due", LEARNER_MAIL)]
    assert loan["Subject"] == "Rappel : Portable 01 est à rendre à 14:00"
    staff_notice = by_key[("loan_overdue", STAFF_MAIL)]
    assert "VLG-LAP-002" in staff_notice["Subject"]
    assert "emprunté par" in staff_notice.get_content() and "(learner1)" in staff_notice.get_content()
    assert "retour prévu le mercredi 25 novembre à 13:00" in staff_notice.get_content()
    assert "était prévu le mercredi 25 novembre à 13:00" in by_key[("loan_overdue", LEARNER_MAIL)].get_content()

    log = await db.fetch("SELECT status, attempts FROM reminder_log")
    assert sorted((row["status"], row["attempts"]) for row in log) == [("sent", 1)] * 4


async def test_two_concurrent_senders_send_each_once(smtp, mailbox, due):
    mailbox.delay = 0.3
    results = await asyncio.gather(reminders.send_due_reminders(smtp, now=NOW),
                                   reminders.send_due_reminders(smtp, now=NOW))
    assert mailbox.keys() == EXPECTED
    assert sum(r["sent"] for r in results) == 4 and sum(r["skipped"] for r in results) == 4


SENDER_SCRIPT = """
import asyncio, json, sys, time
from datetime import datetime
from fablab.platform import db
from fablab.platform.mail import load_smtp_settings
from fablab.reports.reminders import send_due_reminders
from fablab import routes_registry  # the domains' REMINDER_SOURCES, registered as the app does

async def main():
    db.configure(sys.argv[1])
    await db.start_pool(min_size=1, max_size=2)
    time.sleep(max(0.0, float(sys.argv[3]) - time.time()))  # both processes start sending together
    print(json.dumps(await send_due_reminders(load_smtp_settings(), now=datetime.fromisoformat(sys.argv[2]))))
    await db.close_pool()

asyncio.run(main())
"""


async def test_two_processes_at_once_send_each_once(database_url, mailbox, due):
    mailbox.delay = 0.3
    env = {**os.environ, "FABLAB_SMTP_HOST": "127.0.0.1", "FABLAB_SMTP_PORT": str(mailbox.port),
           "FABLAB_SMTP_FROM": "fablab@example.org", "FABLAB_SMTP_STARTTLS": "false"}
    start_at = str(time.time() + 3)
    processes = [subprocess.Popen([sys.executable, "-c", SENDER_SCRIPT, database_url, NOW.isoformat(), start_at],
                                  env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = await asyncio.gather(*(asyncio.to_thread(p.communicate, timeout=60) for p in processes))
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, err
    assert mailbox.keys() == EXPECTED
    assert sum(int(out.split('"sent": ')[1].split(",")[0]) for out, _ in outputs) == 4


async def test_a_refused_message_is_sent_again_on_the_next_run_once(smtp, mailbox, due):
    mailbox.refuse = {"booking_start"}
    first = await reminders.send_due_reminders(smtp, now=NOW)
    assert first == {"sent": 3, "skipped": 0, "failed": 1}
    assert ("booking_start", LEARNER_MAIL) not in mailbox.keys()
    failed = await db.fetchone("SELECT status, attempts, last_error FROM reminder_log WHERE kind = 'booking_start'")
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert "550" in failed["last_error"] and "@" not in failed["last_error"]

    second = await reminders.send_due_reminders(smtp, now=NOW + timedelta(minutes=1))
    assert second == {"sent": 1, "skipped": 3, "failed": 0}
    third = await reminders.send_due_reminders(smtp, now=NOW + timedelta(minutes=2))
    assert third == {"sent": 0, "skipped": 4, "failed": 0}
    assert mailbox.keys() == EXPECTED
    sent = await db.fetchone("SELECT status, attempts FROM reminder_log WHERE kind = 'booking_start'")
    assert (sent["status"], sent["attempts"]) == ("sent", 2)


async def test_an_unreachable_server_is_retried_without_duplicates(smtp, mailbox, due):
    closed = SmtpSettings(host="127.0.0.1", port=free_port(), sender=smtp.sender, starttls=False)
    assert await reminders.send_due_reminders(closed, now=NOW) == {"sent": 0, "skipped": 0, "failed": 4}
    # Within the back-off (a minute per attempt), nothing is tried again.
    assert await reminders.send_due_reminders(smtp, now=NOW + timedelta(seconds=30)) == {
        "sent": 0, "skipped": 4, "failed": 0}
    assert await reminders.send_due_reminders(smtp, now=NOW + timedelta(minutes=1)) == {
        "sent": 4, "skipped": 0, "failed": 0}
    assert mailbox.keys() == EXPECTED


async def test_no_smtp_means_nothing_sent(monkeypatch, mailbox, due):
    monkeypatch.delenv("FABLAB_SMTP_HOST", raising=False)
    assert await reminders.run_reminders() is None
    assert mailbox.messages == [] and await db.fetchval("SELECT count(*) FROM reminder_log") == 0


async def test_pending_lists_what_would_be_sent(staff, monkeypatch, demo):
    """The staff "today" screen, at the real current time, without SMTP."""
    monkeypatch.delenv("FABLAB_SMTP_HOST", raising=False)
    now = datetime.now(timezone.utc)
    await db.fetch("UPDATE app_user SET email = $1 WHERE login IN ('learner1', 'staff.vlg')", LEARNER_MAIL)
    earlier = now - timedelta(days=1)
    start = await add_booking("VLG-ROOM-001", "learner1", now + timedelta(minutes=30), now + timedelta(minutes=90),
                              "confirmed", created_at=earlier)
    silent = await add_booking("VLG-ROOM-002", "learner2", now + timedelta(minutes=30), now + timedelta(minutes=90),
                               "confirmed", created_at=earlier)
    late = await add_booking("VLG-LAP-001", "learner2", earlier, now - timedelta(hours=1), "checked_out",
                             created_at=earlier, checked_out_at=earlier)
    await add_booking("PFS-ROOM-001", "learner11", now + timedelta(minutes=30), now + timedelta(minutes=90),
                      "confirmed", created_at=earlier)

    response = await staff.get("/api/reminders/pending")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["site"] == "vlg" and body["smtp_configured"] is False
    listed = {(item["booking_id"], item["kind"], item["recipient"]["role"]): item for item in body["reminders"]}
    assert set(listed) == {(start, "booking_start", "learner"), (silent, "booking_start", "learner"),
                           (late, "loan_overdue", "learner"), (late, "loan_overdue", "staff")}
    assert listed[(start, "booking_start", "learner")]["status"] == "smtp_off"
    assert listed[(start, "booking_start", "learner")]["due"] is True
    assert listed[(silent, "booking_start", "learner")]["status"] == "no_email"
    assert listed[(late, "loan_overdue", "staff")]["recipient"]["name"] == "Équipe Villeneuve-la-Garenne"
    assert listed[(late, "loan_overdue", "learner")]["resource"] == {"tag": "VLG-LAP-001", "name": "Portable 01",
                                                                    "kind": "laptop"}
    assert listed[(start, "booking_start", "learner")]["subject"].startswith("Rappel : Salle Ada Lovelace, votre réservation")

    other = await staff.get("/api/reminders/pending", params={"site": "pfs"})
    assert other.status_code == 403 and other.json()["code"] == "not_your_site"


async def test_learners_cannot_list_reminders(learner, demo):
    assert (await learner.get("/api/reminders/pending")).status_code == 403


def test_smtp_settings_are_validated():
    assert load_smtp_settings({}) is None
    settings = load_smtp_settings({"FABLAB_SMTP_HOST": "smtp.example.org", "FABLAB_SMTP_FROM": "fablab@example.org",
                                   "FABLAB_SMTP_USER": "u", "FABLAB_SMTP_PASSWORD": "s3cret-pass"})
    assert (settings.port, settings.starttls, settings.user) == (587, True, "u")
    assert "s3cret-pass" not in repr(settings)  # settings get logged; the password must not be
    base = {"FABLAB_SMTP_HOST": "smtp.example.org", "FABLAB_SMTP_FROM": "fablab@example.org"}
    for extra, named in [({"FABLAB_SMTP_PORT": "abc"}, "FABLAB_SMTP_PORT"), ({"FABLAB_SMTP_PORT": "70000"}, "FABLAB_SMTP_PORT"),
                         ({"FABLAB_SMTP_FROM": ""}, "FABLAB_SMTP_FROM"), ({"FABLAB_SMTP_USER": "u"}, "FABLAB_SMTP_PASSWORD"),
                         ({"FABLAB_SMTP_STARTTLS": "perhaps"}, "FABLAB_SMTP_STARTTLS")]:
        with pytest.raises(SettingsError, match=named):
            load_smtp_settings({**base, **extra})


async def test_the_waitlist_tells_the_learner_by_mail_once(smtp, mailbox, demo):
    await db.fetch("UPDATE app_user SET email = $1 WHERE login = 'learner1'", LEARNER_MAIL)
    # Tomorrow 10:00, given by the waitlist five minutes ago (the entry as the offer leaves it).
    booking_id = await add_booking("VLG-ROOM-001", "learner1", paris(10, day=26), paris(12, day=26), "confirmed",
                                   created_at=NOW - timedelta(minutes=5))
    await db.fetch(
        "INSERT INTO waitlist_entry (user_id, site_id, kind, resource_id, day, starts_at, ends_at, status, booking_id, "
        "resolved_at) SELECT b.user_id, b.site_id, b.kind, NULL, $2, b.starts_at, b.ends_at, 'booked', b.id, $3 "
        "FROM booking b WHERE b.id = $1", booking_id, paris(10, day=26).date(), NOW - timedelta(minutes=5))

    assert await reminders.send_due_reminders(smtp, now=NOW) == {"sent": 1, "skipped": 0, "failed": 0}
    assert await reminders.send_due_reminders(smtp, now=NOW + timedelta(minutes=1)) == {
        "sent": 0, "skipped": 1, "failed": 0}
    [message] = mailbox.messages
    assert message["Subject"] == "Bonne nouvelle : Salle Ada Lovelace est à vous"
    assert "du jeudi 26 novembre à 10:00" in message.get_content()
    learner_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    assert message["X-Fablab-Reminder"] == f"{booking_id}/waitlist_booked/{learner_id}"


async def test_a_loan_still_out_is_followed_up_after_a_day_and_on_the_third_staff_too(smtp, mailbox, demo):
    """Issue 31: the learner a day after the due time; the learner and the site's staff on the third day."""
    await db.fetch("UPDATE app_user SET email = $1 WHERE login = 'learner1'", LEARNER_MAIL)
    await db.fetch("UPDATE app_user SET email = $1 WHERE login = 'staff.vlg'", STAFF_MAIL)
    long_ago = NOW - timedelta(days=5)
    three_days = await add_booking("VLG-LAP-001", "learner1", long_ago, NOW - timedelta(days=3, hours=1),
                                   "checked_out", created_at=long_ago, checked_out_at=long_ago)
    one_day = await add_booking("VLG-LAP-002", "learner1", long_ago, NOW - timedelta(days=1, hours=1),
                                "checked_out", created_at=long_ago, checked_out_at=long_ago)
    await reminders.send_due_reminders(smtp, now=NOW)
    sent = Counter((m["X-Fablab-Reminder"].split("/")[0], m["X-Fablab-Reminder"].split("/")[1],
                    m["To"].addresses[0].addr_spec) for m in mailbox.messages)
    assert sent == Counter({
        (str(three_days), "loan_overdue_three_days", LEARNER_MAIL): 1,
        (str(three_days), "loan_overdue_three_days", STAFF_MAIL): 1,
        (str(one_day), "loan_overdue_day", LEARNER_MAIL): 1,
        # The first notice (15 minutes after) is still worth sending to a loan a day late, to both.
        (str(one_day), "loan_overdue", LEARNER_MAIL): 1, (str(one_day), "loan_overdue", STAFF_MAIL): 1})
    staff_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'staff.vlg'")
    staff_notice = next(m for m in mailbox.messages if m["X-Fablab-Reminder"].endswith(f"three_days/{staff_id}"))
    assert staff_notice["Subject"].startswith("Toujours pas rendu depuis trois jours : VLG-LAP-001")
    assert "(learner1)" in staff_notice.get_content()
    again = await reminders.send_due_reminders(smtp, now=NOW + timedelta(minutes=5))
    assert again["sent"] == 0
