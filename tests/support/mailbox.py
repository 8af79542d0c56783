"""A local SMTP server (aiosmtpd) that keeps what it is sent, for the tests of mailed notices."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from fablab.platform.mail import SmtpSettings
from tests.support.server import free_port


class MailBox:
    """The messages received, parsed; `smtp` the settings that send to it."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.smtp: SmtpSettings | None = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@contextmanager
def running_mailbox() -> Iterator[MailBox]:
    box = MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.smtp = SmtpSettings(host="127.0.0.1", port=controller.port, sender="Fablab <fablab@example.org>",
                            starttls=False)
    try:
        yield box
    finally:
        controller.stop()
