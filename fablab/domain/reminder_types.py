"""What a reminder is (e-mail or push): its kind, the booking it is about, its recipient and when it
is worth sending; and where reminders come from.

Each domain whose rows call for reminders declares its `ReminderSource`s in `REMINDER_SOURCES` beside
its ROUTES (bookings: a booking about to start, a loan due or overdue, a booking withdrawn; the
waitlist: a freed slot booked for someone); fablab/routes_registry.py registers them. The reminders'
job (fablab/reports) plans from every source and delivers by e-mail, and fablab/push by push, each
with its own sent-log, naming no source. Kernel, so that none of them imports another for it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
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


@dataclass(frozen=True)
class ReminderSource:
    name: str
    # plan(now, until, site_id): the reminders whose time comes by `until` (site_id None: every site);
    # the job keeps those still worth sending at `now`.
    plan: Callable[[datetime, datetime, int | None], Awaitable[list[Reminder]]]


_sources: dict[str, ReminderSource] = {}


def register(source: ReminderSource) -> None:
    """Once per source, by name (assembling the app twice adds nothing); planned in registration order."""
    _sources[source.name] = source


def unregister(name: str) -> None:
    _sources.pop(name, None)


def sources() -> list[ReminderSource]:
    return list(_sources.values())
