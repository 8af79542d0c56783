"""Telling a participant by e-mail what the system did to their sign-up (a seat from the waiting list,
the workshop cancelled): once each, when SMTP is configured; the app shows it at once. A
`REMINDER_SOURCES` declaration (fablab/domain/reminder_types.py) the reminders' job sends, claimed in
its sent-log (reminder_log, subject 'workshop_registration:<id>', kind the notice). registration.told_at
records it in the transaction that sends, registration.tell_attempts counts the failures: after
MAX_ATTEMPTS, or without an address, the app's notice is all the person gets."""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from zoneinfo import ZoneInfo

from fablab.platform import db
from fablab.domain.reminder_types import Recipient, Reminder, ReminderSource
from fablab.domain.vocabulary import REGISTRATION_NOTICES

MAX_ATTEMPTS = 10
# A notice is worth telling whenever it is found: the one it replaces (seated, then cancelled) is not.
NEVER = datetime(9999, 1, 1, tzinfo=timezone.utc)
# Sign-ups with a notice not yet told, to an address that can take it (the same test as Recipient's).
TO_TELL = """
SELECT r.id, r.notice, r.user_id, u.name AS user_name, u.email, w.title, w.starts_at, w.cancel_note,
       s.name AS site_name, s.timezone, coalesce(CASE r.notice WHEN 'seated' THEN r.seated_at ELSE r.cancelled_at END,
                                                 r.created_at) AS noticed_at
FROM registration r JOIN app_user u ON u.id = r.user_id JOIN workshop w ON w.id = r.workshop_id
JOIN site s ON s.id = w.site_id
WHERE r.notice IS NOT NULL AND r.told_at IS NULL AND r.tell_attempts < $1 AND ($2::int IS NULL OR w.site_id = $2)
  AND btrim(u.email) ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'
ORDER BY r.id LIMIT 200
"""
MARK_TOLD = "UPDATE registration SET told_at = $2 WHERE id = $1 AND told_at IS NULL"
FAILED = "UPDATE registration SET tell_attempts = tell_attempts + 1 WHERE id = $1"

TEXTS = {
    "seated": ("Une place pour vous : {title}",
               "Bonne nouvelle : une place s’est libérée à l’atelier « {title} » ({when}, fablab {site}). "
               "Elle est à vous ; si vous ne pouvez plus venir, annulez dans l’application pour la laisser à "
               "quelqu’un d’autre.",
               "Good news: a seat freed up at the workshop \"{title}\" ({when}). It is yours."),
    "workshop_cancelled": ("Atelier annulé : {title}",
                           "L’atelier « {title} » ({when}, fablab {site}) est annulé. {note}",
                           "The workshop \"{title}\" ({when}) is cancelled. {note}"),
}


def notice_reminder(row: dict) -> Reminder:
    person = Recipient(row["user_id"], row["user_name"], "learner", row["email"].strip())
    return Reminder(row["notice"], row, person, row["noticed_at"], NEVER, subject=f"workshop_registration:{row['id']}")


async def to_tell(now: datetime, until: datetime, site_id: int | None) -> list[Reminder]:
    return [notice_reminder(row) for row in await db.fetch(TO_TELL, MAX_ATTEMPTS, site_id)]


async def mark_told(reminder: Reminder, now: datetime) -> None:
    await db.fetch(MARK_TOLD, reminder.booking["id"], now)


async def count_failure(reminder: Reminder) -> None:
    await db.fetch(FAILED, reminder.booking["id"])


def compose(reminder: Reminder, sender: str, now: datetime) -> EmailMessage:
    row = reminder.booking
    when = row["starts_at"].astimezone(ZoneInfo(row["timezone"])).strftime("%d/%m/%Y %H:%M")
    subject, french, english = TEXTS[row["notice"]]
    values = {"title": row["title"], "when": when, "site": row["site_name"], "note": row["cancel_note"] or ""}
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["email"].strip()
    message["Subject"] = subject.format(**values)
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "fablab.invalid"
    message["Message-ID"] = f"<workshop-notice.{row['id']}.{row['notice']}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(f"Bonjour,\n\n{french.format(**values).strip()}\n\n{english.format(**values).strip()}\n")
    return message


REMINDER_SOURCES = (ReminderSource("workshop-notices", to_tell, compose=compose, kinds=REGISTRATION_NOTICES,
                                   sent=mark_told, failed=count_failure),)
