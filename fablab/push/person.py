"""What the push domain holds about a person (fablab/hooks/person_data.py): their phones and what was sent."""

from __future__ import annotations

from datetime import datetime

from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out
from fablab.push import queries as q


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyPushSubscriptionOut(Out):
    endpoint: str
    lang: str
    created_at: datetime
    updated_at: datetime


PERSON = (
    PersonTable(
        "push_subscription", {"user_id": "delete"}, personal=("endpoint",), kept=("lang",), secret=("p256dh", "auth"),
        export=Export("push_subscriptions", q.PERSON_SUBSCRIPTIONS, MyPushSubscriptionOut),
        kept_until="the session it was made in ends (trigger of migration 0015)", reset=q.PERSON_FORGET_PHONES),
    PersonTable(
        "push_delivery", {"recipient_id": "delete"}, personal=("last_error",), kept=("kind", "status", "subject"),
        not_exported="a sent-log of the phones' notifications, a week long; the subscriptions are exported",
        retention=q.RETAIN_DELIVERIES),
)
