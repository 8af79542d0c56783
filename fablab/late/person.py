"""What late returns hold about a person (fablab/hooks/person_data.py): their strikes and suspensions,
and the lifts staff made with a reason."""

from __future__ import annotations

from datetime import datetime

from fablab.late import queries as q
from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyLateStrikeOut(Out):
    site: str
    due_at: datetime
    returned_at: datetime


class MySuspensionOut(Out):
    site: str
    starts_at: datetime
    ends_at: datetime
    strikes: int
    window_days: int
    lifted_at: datetime | None
    lift_reason: str | None


PERSON = (
    PersonTable("late_strike", {"user_id": "forget"}, export=Export("late_strikes", q.PERSON_STRIKES, MyLateStrikeOut),
                retention=q.RETAIN_STRIKES),
    PersonTable("suspension", {"user_id": "forget", "lifted_by_id": "unlink"}, personal=("lift_reason",),
                export=Export("suspensions", q.PERSON_SUSPENSIONS, MySuspensionOut), retention=q.RETAIN_SUSPENSIONS),
)
