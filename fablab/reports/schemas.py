"""Response bodies of the reports API: the utilisation report and the reminders of the day."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from fablab.schemas import Out

# Hours are rounded to 0.01, rates to 0.0001; a rate is None when there is nothing to divide by.


class ReportSiteOut(Out):
    slug: str
    name: str
    timezone: str


class UnitFiguresOut(Out):
    tag: str
    name: str
    kind: str
    status: str
    bookings: int
    booked_hours: float  # clock hours, clipped to the period
    booked_open_hours: float  # inside opening hours
    open_hours: float
    utilisation: float | None
    no_shows: int
    no_show_base: int  # bookings that could have been a no-show
    no_show_rate: float | None


class TotalsOut(Out):
    units: int
    bookings: int
    booked_hours: float
    booked_open_hours: float
    open_hours: float
    utilisation: float | None
    no_shows: int
    no_show_base: int
    no_show_rate: float | None


class UnitBriefOut(Out):
    tag: str
    name: str
    booked_open_hours: float
    utilisation: float | None


class KindFiguresOut(TotalsOut):
    kind: str
    most_used: list[UnitBriefOut]
    least_used: list[UnitBriefOut]


class OverdueLoanOut(Out):
    booking_id: int
    tag: str
    resource_name: str
    kind: str
    user_name: str | None
    user_login: str | None
    due_at: datetime
    returned_at: datetime | None  # None: still out
    still_out: bool
    overdue_hours: float


class OverdueOut(Out):
    count: int
    still_out: int
    total_hours: float
    max_hours: float
    mean_hours: float | None
    loans: list[OverdueLoanOut]


class HeatmapOut(Out):
    """Weekday × local hour: bookings starting, and hours occupied."""
    weekdays: list[str]
    starts: list[list[int]]
    occupancy_hours: list[list[float]]


class UtilisationOut(Out):
    site: ReportSiteOut
    first: date = msgspec.field(name="from")
    last: date = msgspec.field(name="to")
    kind: str | None
    starts_at: datetime
    ends_at: datetime
    generated_at: datetime
    open_hours: float
    totals: TotalsOut
    kinds: list[KindFiguresOut]
    resources: list[UnitFiguresOut]
    overdue: OverdueOut
    heatmap: HeatmapOut


class RecipientOut(Out):
    id: int
    name: str
    role: str
    email: str | None


class ReminderResourceOut(Out):
    tag: str
    name: str
    kind: str


class ReminderUserOut(Out):
    id: int
    name: str


class ReminderOut(Out):
    booking_id: int
    kind: str
    send_at: datetime
    due: bool
    recipient: RecipientOut
    deliverable: bool
    status: str  # sent, failed…, or pending / smtp_off / no_email when not tried yet
    attempts: int
    sent_at: datetime | None
    resource: ReminderResourceOut
    user: ReminderUserOut | None
    starts_at: datetime
    ends_at: datetime
    subject: str


class PendingRemindersOut(Out):
    site: str
    smtp_configured: bool
    now: datetime
    until: datetime
    reminders: list[ReminderOut]
