"""What a reminder is (e-mail or push): its kind, the subject it is about (a name any domain gives,
'booking:12', 'consent:7'), its recipient and when it is worth sending; and where reminders come from.

Each domain whose rows call for reminders declares its `ReminderSource`s in `REMINDER_SOURCES` beside
its ROUTES (bookings: a booking about to start, a loan due or overdue, a booking withdrawn; the
waitlist: a freed slot booked for someone; minors: a consent about to expire, to the guardian;
workshops: a seat given from the waiting list, a workshop cancelled);
fablab/routes_registry.py registers them. The reminders'
job (fablab/reports) plans from every source and delivers by e-mail, and fablab/push by push, each
with its own sent-log keyed by (subject, kind, recipient), naming no source. In the domain's types, so
that none of them imports another for it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Recipient:
    id: int | None       # their account; None: an address without one (a guardian), never pushed to
    name: str
    role: str            # "learner" (the booking's holder), "staff" (of the booking's site), "guardian"
    email: str | None    # None: nothing can be sent to them

    @property
    def deliverable(self) -> bool:
        return bool(self.email and EMAIL.match(self.email))


@dataclass(frozen=True)
class Reminder:
    kind: str
    booking: dict        # the facts the message words: a booking's row, or the subject's own row
    recipient: Recipient
    send_at: datetime
    expires_at: datetime
    # What it is about, '<domain's noun>:<id>'; a booking's reminders leave it out ('booking:<id>').
    subject: str = ""

    def __post_init__(self) -> None:
        if not self.subject:
            object.__setattr__(self, "subject", f"booking:{self.booking['id']}")

    @property
    def booking_id(self) -> int | None:
        """The booking it is about, if it is about one (the sent-logs keep it for the person lifecycle)."""
        noun, _, number = self.subject.partition(":")
        return int(number) if noun == "booking" else None

    @property
    def key(self) -> tuple[str, str, int | None]:
        """What the sent-logs keep unique: each message goes out once."""
        return self.subject, self.kind, self.recipient.id

    def due(self, now: datetime) -> bool:
        return self.send_at <= now < self.expires_at


# compose(reminder, sender, now): the whole e-mail, for a source whose kinds fablab/reports does not word.
Composer = Callable[[Reminder, str, datetime], EmailMessage]


@dataclass(frozen=True)
class ReminderSource:
    name: str
    # plan(now, until, site_id): the reminders whose time comes by `until` (site_id None: every site);
    # the job keeps those still worth sending at `now`.
    plan: Callable[[datetime, datetime, int | None], Awaitable[list[Reminder]]]
    # The kinds it words itself (compose) and what sending one records in the domain's own rows: sent
    # runs in the transaction that claims and sends it (rolled back with the claim if refused), failed
    # after a message could not be written or was refused.
    compose: Composer | None = None
    kinds: tuple[str, ...] = field(default=())
    sent: Callable[[Reminder, datetime], Awaitable[None]] | None = None
    failed: Callable[[Reminder], Awaitable[None]] | None = None


_sources: dict[str, ReminderSource] = {}


def register(source: ReminderSource) -> None:
    """Once per source, by name (assembling the app twice adds nothing); planned in registration order."""
    _sources[source.name] = source


def unregister(name: str) -> None:
    _sources.pop(name, None)


def sources() -> list[ReminderSource]:
    return list(_sources.values())


def source_of(kind: str) -> ReminderSource | None:
    """The source that words `kind` itself, if one does."""
    return next((source for source in _sources.values() if kind in source.kinds), None)
