"""Consents about to expire: the list for staff, and the guardian's reminder by e-mail, once per
consent: a `REMINDER_SOURCES` declaration (fablab/domain/reminder_types.py) the reminders' job sends
when SMTP is configured, claimed in its sent-log (reminder_log, subject 'consent:<id>', no recipient
account: a guardian has none, so it is never pushed). consent.reminded_at records it for the staff's
list, set in the transaction that sends, and keeps it from being planned again once the sent-log's
rows have gone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from fablab.platform import db
from fablab.minors import queries, rules
from fablab.domain.reminder_types import Recipient, Reminder, ReminderSource


# "About to expire": within the next 30 days, so that a parent has a month to sign again.
EXPIRING_WITHIN = timedelta(days=30)
FRENCH_COVERS = {"participation": "participation aux activités", "image_rights": "droit à l’image",
                 "emergency_care": "soins d’urgence"}
KIND = "consent_expiring"

# What the guardian's reminder records in the consent, beside the sent-log's claim.
MARK_REMINDED = "UPDATE consent SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL"


def window(today: date) -> tuple[date, date]:
    return today, today + EXPIRING_WITHIN


async def expiring(site_ids: list[int] | None, today: date) -> list[dict]:
    """The consents ending in the next 30 days and not renewed (site_ids None: every site)."""
    rows = await queries.expiring(site_ids, *window(today))
    return [{**row, "covers": rules.covers_of(row)} for row in rows]


def _midnight(day: date) -> datetime:
    # The days are counted in UTC, as the job of its own counted them (clock.now().date()).
    return datetime.combine(day, time(), timezone.utc)


def consent_reminder(row: dict) -> Reminder:
    """From the day the consent enters its last 30 days until the day it ends, to its guardian."""
    guardian = Recipient(None, row["guardian_name"], "guardian", row["guardian_email"])
    return Reminder(KIND, row, guardian, _midnight(row["expires_on"] - EXPIRING_WITHIN),
                    _midnight(row["expires_on"] + timedelta(days=1)), subject=f"consent:{row['id']}")


async def guardians_to_remind(now: datetime, until: datetime, site_id: int | None) -> list[Reminder]:
    """Each consent expiring within 30 days of `until`, not yet reminded, whose guardian has an e-mail."""
    rows = await queries.expiring(None if site_id is None else [site_id], now.date(), until.date() + EXPIRING_WITHIN)
    return [consent_reminder({**row, "covers": rules.covers_of(row)}) for row in rows
            if row["guardian_email"] and row["reminded_at"] is None]


async def mark_reminded(reminder: Reminder, now: datetime) -> None:
    await db.fetch(MARK_REMINDED, reminder.booking["id"], now)


def compose(reminder: Reminder, sender: str, now: datetime) -> EmailMessage:
    row = reminder.booking
    covers = ", ".join(FRENCH_COVERS[cover] for cover in row["covers"])
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row["guardian_email"]
    message["Subject"] = f"Autorisation de {row['person_name']} : à renouveler avant le {row['expires_on']:%d/%m/%Y}"
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "fablab.invalid"
    message["Message-ID"] = f"<consent-expiring.{row['id']}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        f"Bonjour {row['guardian_name']},\n\nL’autorisation que vous avez donnée pour {row['person_name']} "
        f"({covers}) prend fin le {row['expires_on']:%d/%m/%Y}.\nPour que {row['person_name']} continue "
        "à venir au fablab, passez à l’accueil signer la nouvelle autorisation, ou rapportez le formulaire "
        "papier signé.\n\nMerci,\nL’équipe du fablab\n")
    return message


REMINDER_SOURCES = (ReminderSource("consents", guardians_to_remind, compose=compose, kinds=(KIND,),
                                   sent=mark_reminded),)
