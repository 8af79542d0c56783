"""Low-stock e-mails: each open alert is mailed once to its site's staff, when SMTP is configured."""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from fablab.domain import clock
from fablab.platform import db
from fablab.consumables import queries
from fablab.platform.db import DB
from fablab.platform.mail import SMTP_ERRORS, SmtpSettings, load_smtp_settings, send_message, smtp_error_text
from fablab.platform.settings import SettingsError

log = logging.getLogger("fablab.consumables")

# A refused message is tried again on the next runs, this many times at most.
MAX_MAIL_ATTEMPTS = 10
UNITS = {"g": "g", "ml": "ml", "unit": "unité(s)"}


def compose_alert(alert: dict, recipients: list[str], sender: str, now: datetime) -> EmailMessage:
    unit = UNITS.get(alert["unit"], alert["unit"])
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = f"Stock bas : {alert['name']} ({alert['site_name']})"
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "fablab.invalid"
    message["Message-ID"] = f"<consumable-alert.{alert['id']}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Fablab-Alert"] = f"consumable/{alert['id']}"
    message.set_content(
        f"Bonjour,\n\nLe stock de « {alert['name']} » à {alert['site_name']} est passé sous son seuil : "
        f"{alert['quantity']} {unit} restant(s), seuil {alert['low_threshold']} {unit}.\n"
        "Pensez à en commander. Ce message n’est envoyé qu’une fois, jusqu’au prochain réapprovisionnement.\n\n"
        f"Low stock: {alert['name']} at {alert['site_name']}, {alert['quantity']} {alert['unit']} left "
        f"(threshold {alert['low_threshold']}).\n")
    return message


async def _mail_one(alert: dict, smtp: SmtpSettings, now: datetime) -> str:
    recipients = [row["email"].strip() for row in await db.fetch(queries.SITE_STAFF_EMAILS, alert["site_id"])]
    if not recipients:
        return "skipped"  # nobody to tell yet; a staff address added later still gets it
    try:
        message = compose_alert(alert, recipients, smtp.sender, now)
    except ValueError as error:  # a name the mail headers cannot carry
        log.error("low-stock alert %s cannot be written: %s", alert["id"], error)
        await db.fetch(queries.ALERT_MAIL_FAILED, alert["id"])
        return "failed"
    try:
        async with DB.transaction():
            if await db.fetchval(queries.CLAIM_ALERT_MAIL, alert["id"], now) is None:
                return "skipped"  # another worker sent it
            # Raising rolls the claim back: not accepted, not sent.
            await send_message(smtp, message)
        return "sent"
    except SMTP_ERRORS as error:
        log.warning("low-stock alert %s not sent: %s", alert["id"], smtp_error_text(error))
        await db.fetch(queries.ALERT_MAIL_FAILED, alert["id"])
        return "failed"


async def mail_low_stock_alerts(smtp: SmtpSettings, *, now: datetime | None = None) -> dict[str, int]:
    now = now or clock.now()
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    for alert in await db.fetch(queries.ALERTS_TO_MAIL, MAX_MAIL_ATTEMPTS):
        counts[await _mail_one(alert, smtp, now)] += 1
    return counts


async def run_low_stock_mail() -> dict[str, int] | None:
    """The periodic job: nothing to do unless SMTP is configured."""
    try:
        smtp = load_smtp_settings()
    except SettingsError as error:
        log.error("low-stock alerts not mailed, bad SMTP setting: %s", error)
        return None
    return None if smtp is None else await mail_low_stock_alerts(smtp)
