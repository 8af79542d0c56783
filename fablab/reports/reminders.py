"""Reminder e-mails: what every domain's sources plan, sent once each (sent-log); what is pending."""

from __future__ import annotations

import logging
from datetime import datetime

from fablab.domain import clock, reminder_types
from fablab.platform import db
from fablab.platform.db import DB
from fablab.push.service import deliver_due
from fablab.platform.mail import SMTP_ERRORS, SMTP_TIMEOUT_S, SmtpSettings, load_smtp_settings, send_message, smtp_error_text
from fablab.domain.reminder_types import Reminder
from fablab.reports.reminder_text import compose, subject_and_body
from fablab.platform.settings import SettingsError

log = logging.getLogger("fablab.reminders")

# A refused message is tried again on later runs, each a minute per attempt further apart, and
# given up after this many: a mailbox that does not exist is not hammered for days.
MAX_ATTEMPTS = 12

# Claims the reminder: a new row, or a failed one whose back-off has passed. Run in the sending
# transaction: a concurrent claim of the same key waits here until that transaction ends, then
# inserts nothing (sent) or claims it itself (the first sender's transaction rolled back).
# Raw: SET LOCAL has no Piccolo form; the wait for a concurrent claim, sized on the SMTP timeout.
CLAIM_WAIT = (f"SET LOCAL lock_timeout = '{int(SMTP_TIMEOUT_S * 2)}s'",
              f"SET LOCAL statement_timeout = '{int(SMTP_TIMEOUT_S * 2)}s'")
# Keyed by subject (migration 0027): any domain's reminder; booking_id kept for a booking's.
CLAIM = """
INSERT INTO reminder_log (subject, kind, recipient_id, booking_id, status, attempts, last_tried_at, sent_at)
VALUES ($1, $2, $3, $4, 'sent', 1, $5, $5)
ON CONFLICT (subject, kind, recipient_id) DO UPDATE
    SET status = 'sent', attempts = reminder_log.attempts + 1, last_tried_at = $5, sent_at = $5, last_error = NULL
    WHERE reminder_log.status = 'failed' AND reminder_log.attempts < $6
      AND reminder_log.last_tried_at <= $5 - make_interval(mins => reminder_log.attempts)
RETURNING id
"""

# After the sending transaction rolled back. Never downgrades a row another worker has sent.
RECORD_FAILURE = """
INSERT INTO reminder_log (subject, kind, recipient_id, booking_id, status, attempts, last_tried_at, last_error)
VALUES ($1, $2, $3, $4, 'failed', 1, $5, $6)
ON CONFLICT (subject, kind, recipient_id) DO UPDATE
    SET attempts = reminder_log.attempts + 1, last_tried_at = $5, last_error = $6
    WHERE reminder_log.status = 'failed'
"""

LOG_OF = """
SELECT subject, kind, recipient_id, status, attempts, sent_at, last_tried_at FROM reminder_log
WHERE subject = ANY($1::text[])
"""


async def plan(now: datetime, until: datetime, site_id: int | None = None) -> list[Reminder]:
    """Reminders whose time comes by `until` and that still make sense at `now`, from every domain's
    REMINDER_SOURCES (fablab/domain/reminder_types.py)."""
    if not reminder_types.sources():
        # Planning from nothing would send nothing, silently: the process skipped assembling the app.
        raise RuntimeError("No reminder sources registered: import fablab.routes_registry first.")
    found = [reminder for source in reminder_types.sources() for reminder in await source.plan(now, until, site_id)]
    return [reminder for reminder in found if reminder.send_at <= until and now < reminder.expires_at]


async def deliver(reminder: Reminder, smtp: SmtpSettings, now: datetime) -> str:
    """"sent", "skipped" (sent already, by this or another worker, or backing off) or "failed"."""
    key = reminder.key
    source = reminder_types.source_of(reminder.kind)
    try:
        message = (source.compose if source and source.compose else compose)(reminder, smtp.sender, now)
    except ValueError as error:  # a name the mail headers cannot carry; nothing to retry
        log.error("reminder %s/%s/%s cannot be written: %s", *key, error)
        if source and source.failed:
            await source.failed(reminder)
        return "failed"
    try:
        async with DB.transaction():
            # Another sender's claim of the same reminder is held while it talks to its mail server:
            # waiting for it is how each goes out once, so this wait is bounded by that server's
            # timeout, not by the pool's request-sized lock and statement timeouts (fablab/platform/db.py).
            for setting in CLAIM_WAIT:
                await db.fetch(setting)
            if await db.fetchval(CLAIM, *key, reminder.booking_id, now, MAX_ATTEMPTS) is None:
                return "skipped"
            if source and source.sent:
                await source.sent(reminder, now)
            # Raising rolls the claim back: the message was not accepted, so it is not sent.
            await send_message(smtp, message)
        return "sent"
    except SMTP_ERRORS as error:
        log.warning("reminder %s/%s/%s not sent: %s", *key, smtp_error_text(error))
        await db.fetch(RECORD_FAILURE, *key, reminder.booking_id, now, smtp_error_text(error))
        if source and source.failed:
            await source.failed(reminder)
        return "failed"


async def send_due_reminders(smtp: SmtpSettings, *, now: datetime | None = None,
                             due: list[Reminder] | None = None) -> dict[str, int]:
    """E-mail every reminder due now that has not gone out; safe to run in several processes at once."""
    now = now or clock.now()
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    for reminder in (await plan(now, now) if due is None else due):
        if reminder.recipient.deliverable:
            counts[await deliver(reminder, smtp, now)] += 1
    if counts["sent"] or counts["failed"]:
        log.info("reminders: %(sent)d sent, %(failed)d failed, %(skipped)d already sent", counts)
    return counts


async def run_reminders() -> dict[str, int] | None:
    """The e-mail channel of the periodic job: nothing to do unless SMTP is configured."""
    try:
        smtp = load_smtp_settings()
    except SettingsError as error:
        log.error("reminders not sent, bad SMTP setting: %s", error)
        return None
    if smtp is None:
        return None
    return await send_due_reminders(smtp)


async def run_reminder_channels(now: datetime | None = None) -> dict[str, dict[str, int] | None]:
    """The periodic job: what is due is planned once, then sent on each channel, each with its own
    sent-log (e-mail: reminder_log, push: push_delivery, once per phone)."""
    now = now or clock.now()
    due = await plan(now, now)
    try:
        smtp = load_smtp_settings()
    except SettingsError as error:
        log.error("reminders not e-mailed, bad SMTP setting: %s", error)
        smtp = None
    email = await send_due_reminders(smtp, now=now, due=due) if smtp else None
    try:
        push = await deliver_due(due, now)
    except SettingsError as error:
        log.error("reminders not pushed, bad push setting: %s", error)
        push = None
    return {"email": email, "push": push}


def reminder_state(deliverable: bool, smtp_configured: bool) -> str:
    if not deliverable:
        return "no_email"
    return "pending" if smtp_configured else "smtp_off"


async def pending(site_id: int, now: datetime, until: datetime, smtp_configured: bool) -> list[dict]:
    """What the job sends (or, without SMTP, would send) about the site's bookings from now until
    `until`, and what it did (other subjects have lists of their own: a consent's, fablab/minors)."""
    reminders = [r for r in await plan(now, until, site_id) if r.booking_id is not None]
    logged = {(row["subject"], row["kind"], row["recipient_id"]): row
              for row in await db.fetch(LOG_OF, sorted({r.subject for r in reminders}))}
    out = []
    for reminder in sorted(reminders, key=lambda r: (r.send_at, r.booking["id"], r.kind, r.recipient.id)):
        b, who = reminder.booking, reminder.recipient
        entry = logged.get(reminder.key)
        out.append({
            "booking_id": b["id"], "kind": reminder.kind, "send_at": reminder.send_at,
            "due": reminder.send_at <= now,
            "recipient": {"id": who.id, "name": who.name, "role": who.role, "email": who.email},
            "deliverable": who.deliverable,
            "status": entry["status"] if entry else reminder_state(who.deliverable, smtp_configured),
            "attempts": entry["attempts"] if entry else 0,
            "sent_at": entry["sent_at"] if entry else None,
            "resource": {"tag": b["tag"], "name": b["resource_name"], "kind": b["resource_kind"]},
            "user": {"id": b["user_id"], "name": b["user_name"]} if b["user_id"] else None,
            "starts_at": b["starts_at"], "ends_at": b["ends_at"],
            "subject": subject_and_body(reminder)[0],
        })
    return out
