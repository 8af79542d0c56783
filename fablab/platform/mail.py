"""Sending e-mail: the SMTP settings (FABLAB_SMTP_*; no host means e-mail is off) and one way to send a
message, shared by the reminders, the low-stock alerts and whatever mails next. Platform: no domain."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

import aiosmtplib

from fablab.platform.settings import SettingsError

SMTP_TIMEOUT_S = 20
SMTP_ERRORS = (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError)

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True

    @property
    def implicit_tls(self) -> bool:
        # Port 465 speaks TLS from the first byte (SMTPS); STARTTLS does not apply there.
        return self.port == 465


def _flag(environ: dict, name: str, default: bool) -> bool:
    raw = (environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def load_smtp_settings(environ: dict | None = None) -> SmtpSettings | None:
    """None when FABLAB_SMTP_HOST is unset: reminders are then listed, never sent."""
    environ = dict(os.environ if environ is None else environ)
    host = (environ.get("FABLAB_SMTP_HOST") or "").strip()
    if not host:
        return None
    raw_port = (environ.get("FABLAB_SMTP_PORT") or "587").strip()
    try:
        port = int(raw_port)
    except ValueError:
        raise SettingsError(f"FABLAB_SMTP_PORT must be a whole number, got {raw_port!r}") from None
    if not 1 <= port <= 65535:
        raise SettingsError(f"FABLAB_SMTP_PORT must be between 1 and 65535, got {port}")
    sender = (environ.get("FABLAB_SMTP_FROM") or "").strip()
    if not sender or "@" not in sender or any(c in sender for c in "\r\n"):
        raise SettingsError("FABLAB_SMTP_FROM must be the sender address, e.g. "
                            "'Fablab <fablab@example.org>', when FABLAB_SMTP_HOST is set")
    user = environ.get("FABLAB_SMTP_USER") or None
    password = environ.get("FABLAB_SMTP_PASSWORD") or None
    if (user is None) != (password is None):
        raise SettingsError("FABLAB_SMTP_USER and FABLAB_SMTP_PASSWORD go together: set both or neither")
    return SmtpSettings(host=host, port=port, sender=sender, user=user, password=password,
                        starttls=_flag(environ, "FABLAB_SMTP_STARTTLS", True))


def smtp_error_text(error: BaseException) -> str:
    # The SMTP reply often quotes the address: keep the class and the code, not the text.
    code = getattr(error, "code", None)
    return f"{type(error).__name__}" + (f" {code}" if code is not None else "")


async def send_message(smtp: SmtpSettings, message) -> None:
    await aiosmtplib.send(
        message, hostname=smtp.host, port=smtp.port, username=smtp.user, password=smtp.password,
        use_tls=smtp.implicit_tls, start_tls=False if smtp.implicit_tls else smtp.starttls,
        timeout=SMTP_TIMEOUT_S,
    )
