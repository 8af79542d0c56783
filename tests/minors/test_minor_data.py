"""A minor's record and data (issue 30): the record staff read, the attendance list's "do not
photograph" mark, consents about to expire and the guardian's reminder sent once, the export, the
minors' shorter retention, and an erasure that leaves no guardian, consent or signature behind."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from fablab.domain import clock
from fablab.platform import db
from fablab.platform.mail import SmtpSettings
from fablab.minors import reminders, rules
from fablab.reports import reminders as reminder_job
from fablab.people import lifecycle
from tests.support.bookings import DAY, assert_problem
from tests.support.minors import add_guardian, consent_text, make_age, sign
from tests.support.workshops import new_workshop

pytestmark = pytest.mark.pg_engine


def test_a_consent_runs_to_the_end_of_the_school_year():
    assert rules.end_of_school_year(date(2026, 9, 1)) == date(2027, 8, 31)
    assert rules.end_of_school_year(date(2027, 6, 15)) == date(2027, 8, 31)
    assert rules.end_of_school_year(date(2027, 8, 31)) == date(2027, 8, 31)


async def test_the_record_shows_guardians_consents_and_what_today_covers(staff, admin):
    person = await make_age("learner1", 13, DAY)
    text = await consent_text(admin)
    guardian = await add_guardian(staff, person, email="Samira.B@example.org")
    assert guardian["email"] == "samira.b@example.org"
    consent = await sign(staff, person, guardian["id"], text["version"], covers=["participation", "image_rights"])
    assert consent["expires_on"] == rules.end_of_school_year(date.fromisoformat(consent["starts_on"])).isoformat()
    record = (await staff.get(f"/api/users/{person}/minor")).json()
    assert record["minor"] is True and record["age"] == 13 and record["person"]["name"]
    assert [row["name"] for row in record["guardians"]] == ["Samira Benali"]
    assert record["covered_today"] == ["participation", "image_rights"]
    assert record["consent_text"]["version"] == text["version"]
    picture = await staff.get(consent["signature"])
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")


async def test_the_attendance_list_marks_minors_without_image_rights(staff, admin):
    young = await make_age("learner1", 13, DAY)
    pictured = await make_age("learner2", 14, DAY)
    adult = await make_age("learner4", 30, DAY)
    await staff.post(f"/api/users/{young}/consents", json={"covers": ["participation"]})
    await staff.post(f"/api/users/{pictured}/consents", json={"covers": ["participation", "image_rights"]})
    workshop = await new_workshop(staff)
    for person in (young, pictured, adult):
        signed_up = await staff.post(f"/api/workshops/{workshop['id']}/registrations", json={"participant": person})
        assert signed_up.status_code == 201, signed_up.text
    rows = (await staff.get(f"/api/workshops/{workshop['id']}/registrations")).json()
    assert {row["participant"]: row["no_photo"] for row in rows} == {young: True, pictured: False, adult: False}


SMTP = SmtpSettings(host="127.0.0.1", port=2525, sender="Fablab <fablab@example.org>", starttls=False)


async def consent_expiring_soon(staff) -> int:
    """learner1, 13, with a consent to participation ending in 20 days and a guardian with an e-mail."""
    person = await make_age("learner1", 13, DAY)
    soon = (clock.now() + timedelta(days=20)).date().isoformat()
    guardian = await add_guardian(staff, person, email="parent@example.org")
    await staff.post(f"/api/users/{person}/consents",
                     json={"covers": ["participation"], "guardian": guardian["id"], "expires_on": soon})
    return person


async def test_consents_about_to_expire_are_listed_and_the_guardian_reminded_once(staff, admin, monkeypatch):
    person = await make_age("learner1", 13, DAY)
    quiet = await make_age("learner2", 13, DAY)
    soon = (clock.now() + timedelta(days=20)).date().isoformat()
    with_email = await add_guardian(staff, person, email="parent@example.org")
    await staff.post(f"/api/users/{person}/consents",
                     json={"covers": ["participation"], "guardian": with_email["id"], "expires_on": soon})
    await staff.post(f"/api/users/{quiet}/consents", json={"covers": ["participation"], "expires_on": soon})
    await staff.post(f"/api/users/{quiet}/consents", json={"covers": ["participation"]})  # already renewed
    listed = (await staff.get("/api/consents/expiring", params={"site": "vlg"})).json()
    assert [(row["person"], row["guardian_email"]) for row in listed] == [(person, "parent@example.org")]
    sent = []

    async def send(smtp, message):
        sent.append(message)

    monkeypatch.setattr(reminder_job, "send_message", send)
    # The reminders' job sends it (a REMINDER_SOURCES of minors), once.
    assert await reminder_job.send_due_reminders(SMTP) == {"sent": 1, "skipped": 0, "failed": 0}
    assert await reminder_job.send_due_reminders(SMTP) == {"sent": 0, "skipped": 0, "failed": 0}
    assert [message["To"] for message in sent] == ["parent@example.org"]
    assert "Autorisation de" in sent[0]["Subject"]
    consent = listed[0]["id"]
    assert sent[0]["Message-ID"].startswith(f"<consent-expiring.{consent}@")
    assert (await staff.get("/api/consents/expiring")).json()[0]["reminded_at"] is not None
    # Its sent-log row is about the consent, with no account for the guardian.
    assert [dict(row) for row in await db.fetch("SELECT subject, kind, recipient_id, booking_id FROM reminder_log")] == [
        {"subject": f"consent:{consent}", "kind": "consent_expiring", "recipient_id": None, "booking_id": None}]
    # The consent keeps it told once after the sent-log's row has gone (its retention is shorter).
    await db.fetch("DELETE FROM reminder_log")
    assert await reminder_job.send_due_reminders(SMTP) == {"sent": 0, "skipped": 0, "failed": 0}


async def test_a_refused_consent_reminder_is_tried_again_and_not_marked(staff, monkeypatch):
    await consent_expiring_soon(staff)
    refused = []

    async def refuse(smtp, message):
        refused.append(message)
        raise OSError("connection refused")

    monkeypatch.setattr(reminder_job, "send_message", refuse)
    assert await reminder_job.send_due_reminders(SMTP) == {"sent": 0, "skipped": 0, "failed": 1}
    assert (await staff.get("/api/consents/expiring")).json()[0]["reminded_at"] is None
    assert await db.fetchval("SELECT status FROM reminder_log") == "failed"


async def test_the_guardian_reminder_is_not_pushed_and_not_in_the_sites_pending_list(staff, monkeypatch):
    await consent_expiring_soon(staff)
    now = clock.now()
    due = await reminder_job.plan(now, now)
    assert [(r.kind, r.recipient.id, r.recipient.role) for r in due] == [("consent_expiring", None, "guardian")]
    assert (await reminder_job.deliver_due(due, now))["sent"] == 0
    site = await db.fetchval("SELECT id FROM site WHERE slug = 'vlg'")
    assert await reminder_job.pending(site, now, now + timedelta(days=1), True) == []


async def test_the_export_then_the_erasure_of_a_minor(staff, admin):
    person = await make_age("learner1", 13, DAY)
    text = await consent_text(admin)
    guardian = await add_guardian(staff, person)
    await sign(staff, person, guardian["id"], text["version"])
    data = (await staff.get(f"/api/users/{person}/data")).json()
    assert [row["name"] for row in data["guardians"]] == ["Samira Benali"]
    assert data["consents"][0]["signed"] is True and data["consents"][0]["text_seen"] == text["text"]
    erased = await admin.post(f"/api/users/{person}/erase")
    assert erased.status_code == 200, erased.text
    assert await db.fetchval("SELECT count(*) FROM guardian") == 0
    assert await db.fetchval("SELECT count(*) FROM consent") == 0
    assert await db.fetchval("SELECT count(*) FROM consent_text") == 1  # the site's text names nobody


async def test_the_minors_retention_is_shorter_and_an_admin_setting(staff, admin):
    shown = await admin.get("/api/admin/minors-retention")
    assert shown.json() == {"days": 365, "is_default": True}
    person = await make_age("learner1", 13, DAY)
    guardian = await add_guardian(staff, person)
    await staff.post(f"/api/users/{person}/consents",
                     json={"covers": ["participation"], "guardian": guardian["id"],
                           "expires_on": (clock.now() + timedelta(days=5)).date().isoformat()})
    in_200_days = datetime.now(timezone.utc) + timedelta(days=200)
    assert (await lifecycle.anonymise_expired(now=in_200_days))["tables"]["consent"] == 0
    assert (await admin.put("/api/admin/minors-retention", json={"days": 90})).json()["days"] == 90
    changed = await lifecycle.anonymise_expired(now=in_200_days)
    assert changed["tables"]["consent"] == 1 and changed["tables"]["guardian"] == 1
    assert_problem(await admin.put("/api/admin/minors-retention", json={"days": 3}), 400, "invalid_input")


@pytest.mark.parametrize("statement", [
    # A guardian nobody can reach.
    "INSERT INTO guardian (person_id, name) VALUES ($1, 'Sans contact')",
    # A consent that covers nothing, or ends before it starts.
    "INSERT INTO consent (person_id, site_id, starts_on, expires_on, method) VALUES ($1, (SELECT id FROM site WHERE slug = 'vlg'), '2026-09-01', "
    "'2027-08-31', 'paper')",
    "INSERT INTO consent (person_id, site_id, participation, starts_on, expires_on, method) VALUES ($1, (SELECT id FROM site WHERE slug = 'vlg'), true, "
    "'2026-09-01', '2026-08-31', 'paper')",
    # Signed, but without the signature, or by a method nobody knows.
    "INSERT INTO consent (person_id, site_id, participation, starts_on, expires_on, method, text_version) VALUES "
    "($1, (SELECT id FROM site WHERE slug = 'vlg'), true, '2026-09-01', '2027-08-31', 'signed', 1)",
    "INSERT INTO consent (person_id, site_id, participation, starts_on, expires_on, method) VALUES ($1, (SELECT id FROM site WHERE slug = 'vlg'), true, "
    "'2026-09-01', '2027-08-31', 'phone')",
])
async def test_postgresql_refuses_what_no_consent_may_be(demo, statement):
    import asyncpg

    person = await make_age("learner1", 13, DAY)
    with pytest.raises(asyncpg.CheckViolationError):
        await db.fetch(statement, person)
