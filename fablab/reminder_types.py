"""What a reminder is (e-mail or push): its kind, the booking it is about, its recipient and when it
is worth sending. Planned by fablab/reports (reminder_plan.py), delivered by e-mail there and by
fablab/push; kernel, so that neither of the two imports the other for it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    role: str            # "learner" (the booking's holder) or "staff" (of the booking's site)
    email: str | None    # None: nothing can be sent to them

    @property
    def deliverable(self) -> bool:
        return bool(self.email and EMAIL.match(self.email))


@dataclass(frozen=True)
class Reminder:
    kind: str
    booking: dict
    recipient: Recipient
    send_at: datetime
    expires_at: datetime

    @property
    def key(self) -> tuple[int, str, int]:
        """What the sent-log keeps unique: each message goes out once."""
        return self.booking["id"], self.kind, self.recipient.id

    def due(self, now: datetime) -> bool:
        return self.send_at <= now < self.expires_at
