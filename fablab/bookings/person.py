"""What the bookings domain holds about a person (fablab/hooks/person_data.py): their bookings."""

from __future__ import annotations

from datetime import date, datetime

from fablab.domain import codes
from fablab.bookings import queries as q
from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import BookingBrief


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyBookingOut(BookingBrief):
    status: str
    purpose: str
    created_at: datetime
    checked_out_at: datetime | None
    returned_at: datetime | None
    cancelled_at: datetime | None
    no_show_at: datetime | None
    series_id: int | None
    occurrence_date: date | None
    cancel_reason: str | None
    cancel_note: str


PERSON = (
    PersonTable(
        "booking", {"user_id": "forget", "created_by_id": "unlink"}, personal=("purpose", "cancel_note"),
        kept=("kind", "status", "cancel_reason"), export=Export("bookings", q.PERSON_BOOKINGS, MyBookingOut), retention=q.RETAIN_BOOKINGS,
        holds=(codes.PERSON_HOLDS_ITEM, q.PERSON_HOLDS_ITEMS), before_erase=q.PERSON_WITHDRAW_BOOKINGS,
        also_set=q.BUMP),
)
