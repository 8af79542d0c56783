"""What the push domain holds about a person (fablab/person_data.py): their phones and what was sent."""

from fablab.person_data import PersonTable
from fablab.push import queries as q

PERSON = (
    PersonTable(
        "push_subscription", {"user_id": "delete"}, personal=("endpoint",), kept=("lang",), secret=("p256dh", "auth"),
        export=("push_subscriptions", q.PERSON_SUBSCRIPTIONS),
        kept_until="the session it was made in ends (trigger of migration 0015)", reset=q.PERSON_FORGET_PHONES),
    PersonTable(
        "push_delivery", {"recipient_id": "delete"}, personal=("last_error",), kept=("kind", "status"),
        not_exported="a sent-log of the phones' notifications, a week long; the subscriptions are exported",
        retention=q.RETAIN_DELIVERIES),
)
