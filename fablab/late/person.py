"""What late returns hold about a person (fablab/person_data.py): their strikes and suspensions,
and the lifts staff made with a reason."""

from fablab.late import queries as q
from fablab.person_data import PersonTable

PERSON = (
    PersonTable("late_strike", {"user_id": "forget"}, export=("late_strikes", q.PERSON_STRIKES),
                retention=q.RETAIN_STRIKES),
    PersonTable("suspension", {"user_id": "forget", "lifted_by_id": "unlink"}, personal=("lift_reason",),
                export=("suspensions", q.PERSON_SUSPENSIONS), retention=q.RETAIN_SUSPENSIONS),
)
