"""Response bodies of the reports API: the utilisation report and the reminders of the day."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from fablab.domain.schemas import Out

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


# --- The funders' impact report (issue 29; the figures' meaning: fablab/reports/impact.py) ---------

class ImpactSiteOut(Out):
    slug: str
    name: str
    timezone: str


class AgeBandOut(Out):
    band: str  # under_16, 16_17, 18_25, over_25, unknown
    count: int


class StatusCountOut(Out):
    status: str
    count: int


class ImpactPartnerOut(Out):
    id: int
    name: str
    kind: str
    site: str
    site_name: str


class PartnerCountOut(Out):
    partner: ImpactPartnerOut | None  # None: people no partner referred
    count: int


class ParticipantFiguresOut(Out):
    unique: int  # people (participants, learners) who attended at least one workshop held
    registered: int  # people who held a seat in one
    new: int
    returning: int  # attended a workshop of these sites before the period
    unidentified_attendances: int  # attendances of people the retention has since forgotten
    by_age: list[AgeBandOut]
    by_status: list[StatusCountOut]
    by_partner: list[PartnerCountOut]


class VisitorFiguresOut(Out):
    count: int  # visitors' passes made in the period
    attended_workshops: int


class WorkshopFiguresOut(Out):
    held: int
    cancelled: int
    ended: int
    unrecorded: int  # ended with seats taken and nobody marked present


class SeatFiguresOut(Out):
    offered: int
    taken: int
    fill_rate: float | None
    attended: int
    no_show_base: int  # seats of ended workshops whose attendance was taken
    no_shows: int
    no_show_rate: float | None


class HourBucketOut(Out):
    bucket: str  # lt_3, 3_10, 10_20, 20_35, 35_plus
    count: int


class HourFiguresOut(Out):
    total: float  # everyone's attended hours, visitors and forgotten people included
    participants_total: float
    per_participant_mean: float | None
    per_participant_median: float | None
    distribution: list[HourBucketOut]


class CourseLineOut(Out):
    id: int
    title: str
    site: str
    site_name: str
    target_hours: float
    participants: int
    started: int
    completed: int


class CourseFiguresOut(Out):
    running: int
    started: int
    completed: int
    courses: list[CourseLineOut] = msgspec.field(name="list")


class ImpactSiteFiguresOut(Out):
    """One site's figures in a report over several (returning: came to that site before)."""
    site: ImpactSiteOut
    participants: ParticipantFiguresOut
    visitors: VisitorFiguresOut
    workshops: WorkshopFiguresOut
    seats: SeatFiguresOut
    hours: HourFiguresOut
    courses: CourseFiguresOut


class ImpactOut(Out):
    site: ImpactSiteOut | None  # None: every site the caller works for
    sites: list[ImpactSiteOut]
    first: date = msgspec.field(name="from")
    last: date = msgspec.field(name="to")
    generated_at: datetime
    participants: ParticipantFiguresOut
    visitors: VisitorFiguresOut
    workshops: WorkshopFiguresOut
    seats: SeatFiguresOut
    hours: HourFiguresOut
    courses: CourseFiguresOut
    by_site: list[ImpactSiteFiguresOut]  # empty when the report covers one site
