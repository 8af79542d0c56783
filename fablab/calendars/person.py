"""What the calendars domain holds about a person (fablab/person_data.py): their private feed links."""

from fablab.calendars import queries as q
from fablab.person_data import PersonTable

PERSON = (
    PersonTable(
        "feed_token", {"user_id": "delete"}, kept=("scope",), secret=("token_hash",),
        export=("calendar_feeds", q.PERSON_FEEDS),
        kept_until="the account's erasure: a revoked link is the record of a link given out",
        reset=q.PERSON_REVOKE_FEEDS, leave_sites=q.PERSON_LEAVE_SITES),
)
