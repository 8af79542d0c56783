"""What the calendars domain holds about a person (fablab/hooks/person_data.py): their private feed links."""

from __future__ import annotations

from datetime import datetime

from fablab.calendars import queries as q
from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyFeedOut(Out):
    scope: str
    created_at: datetime
    revoked_at: datetime | None


PERSON = (
    PersonTable(
        "feed_token", {"user_id": "delete"}, kept=("scope",), secret=("token_hash",),
        export=Export("calendar_feeds", q.PERSON_FEEDS, MyFeedOut),
        kept_until="the account's erasure: a revoked link is the record of a link given out",
        reset=q.PERSON_REVOKE_FEEDS, leave_sites=q.PERSON_LEAVE_SITES),
)
