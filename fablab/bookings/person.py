"""What the bookings domain holds about a person (fablab/person_data.py): their bookings."""

from fablab import codes
from fablab.bookings import queries as q
from fablab.person_data import PersonTable

PERSON = (
    PersonTable(
        "booking", {"user_id": "forget", "created_by_id": "unlink"}, personal=("purpose", "cancel_note"),
        kept=("kind", "status", "cancel_reason"), export=("bookings", q.PERSON_BOOKINGS), retention=q.RETAIN_BOOKINGS,
        holds=(codes.PERSON_HOLDS_ITEM, q.PERSON_HOLDS_ITEMS), before_erase=q.PERSON_WITHDRAW_BOOKINGS,
        also_set=q.BUMP),
)
