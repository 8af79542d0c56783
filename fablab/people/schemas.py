"""Bodies of a person's routes: their data (GDPR right of access) and the answer to an erasure.

The export's sections are the domains' (fablab/*/person.py, `export`). Out refuses unknown
fields, so a column a declaration adds without a field here fails the tests instead of silently
dropping out of the export.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fablab.schemas import BookingBrief, Out


class MyAccountOut(Out):
    id: int
    login: str
    name: str
    email: str | None
    role: str
    site: str | None
    cohort: str
    active: bool
    birth_date: date | None
    birth_year: int | None
    activated: bool
    pass_shown: bool  # a desk pass was shown (its token is never stored, only its hash)
    created_at: datetime
    updated_at: datetime


class MyStaffSiteOut(Out):
    site: str
    granted_at: datetime


class MyCertificationOut(Out):
    training: str
    granted_at: datetime
    expires_at: datetime | None


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


class MySeriesOut(Out):
    id: int
    site: str
    kind: str
    resource: str | None
    quantity: int
    purpose: str
    rule: str  # the recurrence as stored, JSON (fablab/series/recurrence.py)
    created_at: datetime
    cancelled_at: datetime | None


class MyMovementOut(Out):
    id: int
    kind: str
    resource: str
    booking_id: int | None
    at: datetime
    condition: str | None
    note: str
    involvement: Literal["holder", "staff"]


class MyAuditOut(Out):
    id: int
    site: str
    started_at: datetime
    closed_at: datetime | None


class MyWaitlistEntryOut(Out):
    id: int
    site: str
    kind: str
    day: date
    starts_at: datetime
    ends_at: datetime
    status: str
    booking_id: int | None
    created_at: datetime


class MyPartCustodyOut(Out):
    part: str
    tag: str | None
    resource: str
    booking_id: int
    handed_over: bool
    out_at: datetime
    missing_at: datetime | None
    back_at: datetime | None
    involvement: Literal["holder", "staff"]


class MyConsumableMovementOut(Out):
    id: int
    consumable: str
    unit: str
    kind: str
    delta: int
    booking_id: int | None
    at: datetime
    note: str
    involvement: Literal["user", "staff"]


class MyPrintLogOut(Out):
    booking_id: int
    resource: str
    outcome: str
    recorded_at: datetime
    involvement: Literal["user", "staff"]


class MyMaintenanceOut(Out):
    id: int
    resource: str
    task: str
    note: str
    at: datetime


class MySessionOut(Out):
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class MyInviteOut(Out):
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


class MyFeedOut(Out):
    scope: str
    created_at: datetime
    revoked_at: datetime | None


class MyReminderOut(Out):
    booking_id: int
    kind: str
    status: str
    sent_at: datetime | None


class MyPushSubscriptionOut(Out):
    endpoint: str
    lang: str
    created_at: datetime
    updated_at: datetime


class MyParticipantOut(Out):
    status: str
    partner: str | None
    created_at: datetime
    updated_at: datetime


class MyRegistrationOut(Out):
    id: int
    workshop: str
    site: str
    starts_at: datetime
    ends_at: datetime
    status: str
    seat: str | None
    partner: str | None
    created_at: datetime
    seated_at: datetime | None
    cancelled_at: datetime | None
    involvement: Literal["participant", "staff"]


class MyAttendanceOut(Out):
    workshop: str
    arrived_at: datetime
    left_at: datetime
    recorded_at: datetime
    involvement: Literal["participant", "staff"]


class MyWorkshopTrainedOut(Out):
    workshop: str
    site: str
    starts_at: datetime
    ends_at: datetime


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
class MyHandoverOut(Out):
    """A hand-over at the desk (fablab/desk): received as the learner, or made as staff."""
    id: int
    site: str
    at: datetime
    due_at: datetime
    agreement_version: int | None
    agreement_text: str
    signed: bool
    signed_hash: str
    involvement: Literal["learner", "staff"]
    items: list[str] | None


class PersonalDataOut(Out):
    exported_at: datetime
    account: MyAccountOut | None
    staff_sites: list[MyStaffSiteOut]
    certifications: list[MyCertificationOut]
    bookings: list[MyBookingOut]
    series: list[MySeriesOut]
    waitlist: list[MyWaitlistEntryOut]
    movements: list[MyMovementOut]
    audits: list[MyAuditOut]
    part_custody: list[MyPartCustodyOut]
    consumable_movements: list[MyConsumableMovementOut]
    print_logs: list[MyPrintLogOut]
    maintenance_records: list[MyMaintenanceOut]
    sessions: list[MySessionOut]
    invites: list[MyInviteOut]
    calendar_feeds: list[MyFeedOut]
    reminders: list[MyReminderOut]
    push_subscriptions: list[MyPushSubscriptionOut]
    participant: MyParticipantOut | None
    workshop_registrations: list[MyRegistrationOut]
    workshop_attendance: list[MyAttendanceOut]
    workshops_trained: list[MyWorkshopTrainedOut]
    late_strikes: list[MyLateStrikeOut]
    suspensions: list[MySuspensionOut]
    handovers: list[MyHandoverOut]


class ErasedTableOut(Out):
    table: str
    rows: int  # rows deleted, or that forgot the person


class ErasureOut(Out):
    """What an erasure did: the person's account is gone, and each table's rows that changed."""

    user_id: int
    erased_at: datetime
    tables: list[ErasedTableOut]
