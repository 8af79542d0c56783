"""Consents about to expire: the list for staff, and the guardian's reminder by e-mail, sent once per
consent (consent.reminded_at is its sent-log) by a periodic job when SMTP is configured. A job of its
own beside fablab/reports' reminders: those are about bookings and people with accounts (reminder_log
is keyed by booking and app_user), a guardian is neither."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from fablab.domain import clock
from fablab.platform import db
from fablab.platform.db import DB
from fablab.platform.mail import SMTP_ERRORS, SmtpSettings, load_smtp_settings, send_message, smtp_error_text
from fablab.minors import queries, rules
from fablab.domain.reminder_types import EMAIL
from fablab.platform.settings import SettingsError

log = logging.getLogger("fablab.minors")

# "About to expire": within the next 30 days, so that a parent has a month to sign again.
EXPIRING_WITHIN = timedelta(days=30)
FRENCH_COVERS = {"participation": "participation aux activités", "image_rights": "droit à l’image",
                 "emergency_care": "soins d’urgence"}

# The claim is the sent-log: set in the transaction that sends, rolled back when the server refuses.
CLAIM = "UPDATE consent SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL RETURNING id"


def window(today: date) -> tuple[date, date]:
    return today, today + EXPIRING_WITHIN


async def expiring(site_ids: list[int] | None, today: date) -> list[dict]:
    """The consents ending in the next 30 days and not renewed (site_ids None: every site)."""
    rows = await queries.expiring(site_ids, *window(today))
    return [{**row, "covers": rules.covers_of(row)} for row in rows]


def compose(row: dict, sender: str, now: datetime) -> EmailMessage:
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


async def _remind(row: dict, smtp: SmtpSettings, now: datetime) -> str:
    try:
        message = compose(row, smtp.sender, now)
    except ValueError as error:  # a name or address the mail headers cannot carry
        log.error("consent %s reminder cannot be written: %s", row["id"], error)
        return "failed"
    try:
        async with DB.transaction():
            if await db.fetchval(CLAIM, row["id"], now) is None:
                return "skipped"  # another worker sent it
            await send_message(smtp, message)
        return "sent"
    except SMTP_ERRORS as error:
        log.warning("consent %s reminder not sent: %s", row["id"], smtp_error_text(error))
        return "failed"


async def remind_guardians(smtp: SmtpSettings, *, now: datetime | None = None) -> dict[str, int]:
    """Each consent expiring within 30 days whose guardian has an e-mail, once."""
    now = now or clock.now()
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    for row in await expiring(None, now.date()):
        if row["guardian_email"] and EMAIL.match(row["guardian_email"]) and row["reminded_at"] is None:
            counts[await _remind(row, smtp, now)] += 1
    return counts


async def run_reminders() -> dict[str, int] | None:
    """The periodic job: nothing to do unless SMTP is configured."""
    try:
        smtp = load_smtp_settings()
    except SettingsError as error:
        log.error("consent reminders not mailed, bad SMTP setting: %s", error)
        return None
    return None if smtp is None else await remind_guardians(smtp)
