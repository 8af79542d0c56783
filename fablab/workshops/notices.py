"""Telling a participant by e-mail what the system did to their sign-up (a seat from the waiting list,
the workshop cancelled): once each, by a periodic job, when SMTP is configured. The app shows it at once."""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from zoneinfo import ZoneInfo

from fablab.domain import clock
from fablab.platform import db
from fablab.platform.db import DB
from fablab.platform.mail import SMTP_ERRORS, SmtpSettings, load_smtp_settings, send_message, smtp_error_text
from fablab.platform.settings import SettingsError

log = logging.getLogger("fablab.workshops")

MAX_ATTEMPTS = 10
TO_TELL = """
SELECT r.id, r.notice, u.email, w.title, w.starts_at, w.cancel_note, s.name AS site_name, s.timezone
FROM registration r JOIN app_user u ON u.id = r.user_id JOIN workshop w ON w.id = r.workshop_id
JOIN site s ON s.id = w.site_id
WHERE r.notice IS NOT NULL AND r.told_at IS NULL AND r.tell_attempts < $1 ORDER BY r.id LIMIT 200
"""
# The claim: a second worker (or run) finds it told; rolled back with the transaction when the send fails.
CLAIM = "UPDATE registration SET told_at = $2 WHERE id = $1 AND told_at IS NULL RETURNING id"
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


def compose(row: dict, sender: str, now: datetime) -> EmailMessage:
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


async def _tell_one(row: dict, smtp: SmtpSettings, now: datetime) -> str:
    if not (row["email"] or "").strip():
        await db.fetch(CLAIM, row["id"], now)  # nobody to mail: the app has told them
        return "in_app"
    try:
        message = compose(row, smtp.sender, now)
        async with DB.transaction():
            if await db.fetchval(CLAIM, row["id"], now) is None:
                return "skipped"
            await send_message(smtp, message)
        return "sent"
    except (*SMTP_ERRORS, ValueError) as error:
        log.warning("workshop notice %s not sent: %s", row["id"], smtp_error_text(error))
        await db.fetch(FAILED, row["id"])
        return "failed"


async def tell(smtp: SmtpSettings, *, now: datetime | None = None) -> dict[str, int]:
    now = now or clock.now()
    counts = {"sent": 0, "in_app": 0, "skipped": 0, "failed": 0}
    for row in await db.fetch(TO_TELL, MAX_ATTEMPTS):
        counts[await _tell_one(row, smtp, now)] += 1
    return counts


async def run_notices() -> dict[str, int] | None:
    """The periodic job: nothing to do unless SMTP is configured."""
    try:
        smtp = load_smtp_settings()
    except SettingsError as error:
        log.error("workshop notices not mailed, bad SMTP setting: %s", error)
        return None
    return None if smtp is None else await tell(smtp)
