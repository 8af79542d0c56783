"""The Piccolo model of every table and column the migrations make (tests/architecture/test_tables.py holds it to them).

The migrations' SQL holds what Piccolo cannot say: CHECKs, exclusion and partial indexes, triggers.
The words a column may hold (kinds, statuses) are fablab/domain/vocabulary.py's, which those CHECKs repeat
(tests/architecture/test_vocabulary.py holds them equal).
"""

from decimal import Decimal

from piccolo.columns import (
    JSONB, BigInt, BigSerial, Boolean, Bytea, Date, ForeignKey, Integer, Numeric, Serial, SmallInt, Text, Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fablab.platform.db import DB


def _fk(table, column: str, null: bool = True) -> ForeignKey:
    return ForeignKey(references=table, db_column_name=column, null=null)


class Site(Table, tablename="site", db=DB):
    id = Serial(primary_key=True)
    slug = Varchar(length=32, unique=True)
    name = Text()
    address = Text(default="")
    timezone = Text(default="Europe/Paris")
    opening_hours = JSONB(default={})
    contact = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Closure(Table, tablename="closure", db=DB):
    id = Serial(primary_key=True)
    site = _fk(Site, "site_id")
    starts_on = Date()
    ends_on = Date()
    reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class User(Table, tablename="app_user", db=DB):
    id = Serial(primary_key=True)
    role = Text()
    name = Text()
    login = Text()
    email = Text(null=True, default=None)
    password_hash = Text(null=True, default=None, secret=True)
    site = _fk(Site, "site_id")
    cohort = Text(default="")
    active = Boolean(default=True)
    pass_token_hash = Text(null=True, default=None, secret=True)
    pass_version = Integer(default=0)
    anonymised_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # fablab/domain/ages.py: the year alone when only that is known.
    birth_date = Date(null=True, default=None)
    birth_year = Integer(null=True, default=None)


class StaffSite(Table, tablename="staff_site", db=DB):
    """A site a staff account acts for (fablab/accounts/scope.py); the home site is granted on creation."""

    id = Serial(primary_key=True)
    user = _fk(User, "user_id", null=False)
    site = _fk(Site, "site_id", null=False)
    granted_at = Timestamptz(default=TimestamptzNow())


class Training(Table, tablename="training", db=DB):
    id = Serial(primary_key=True)
    name = Text(unique=True)
    description = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    # How long a certification stays valid (issue 31): vocabulary.TRAINING_VALIDITIES.
    validity = Text(default="forever")
    valid_days = Integer(null=True, default=None)
    valid_until = Date(null=True, default=None)
    idle_days = Integer(null=True, default=None)


class Resource(Table, tablename="resource", db=DB):
    id = Serial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    kind = Text()
    name = Text()
    tag = Varchar(length=40)
    status = Text(default="available")
    details = JSONB(default={})
    notes = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Policy(Table, tablename="policy", db=DB):
    id = Serial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    kind = Text()
    resource = _fk(Resource, "resource_id")
    unit = Text(default="minutes")
    slot_minutes = Integer(default=30)
    min_length = Integer(default=30)
    max_length = Integer(default=240)
    max_days_ahead = Integer(default=14)
    buffer_minutes = Integer(default=0)
    may_end_after_closing = Boolean(default=False)
    checkout_grace_minutes = Integer(default=30)
    max_active_bookings = Integer(null=True, default=None)
    max_hours_per_week = Integer(null=True, default=None)
    training = _fk(Training, "training_id")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # Minors and consents (issue 30): younger people are refused (too_young) unless a trainer books.
    min_age = Integer(null=True, default=None)


class Certification(Table, tablename="certification", db=DB):
    id = Serial(primary_key=True)
    user = _fk(User, "user_id", null=False)
    training = _fk(Training, "training_id", null=False)
    granted_by = _fk(User, "granted_by_id")
    granted_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=True, default=None)


class BookingSeries(Table, tablename="booking_series", db=DB):
    id = BigSerial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    kind = Text()
    resource = _fk(Resource, "resource_id")
    quantity = Integer(default=1)
    user = _fk(User, "user_id")
    created_by = _fk(User, "created_by_id")
    purpose = Text(default="")
    rule = JSONB()
    created_at = Timestamptz(default=TimestamptzNow())
    cancelled_at = Timestamptz(null=True, default=None)


class Booking(Table, tablename="booking", db=DB):
    id = BigSerial(primary_key=True)
    resource = _fk(Resource, "resource_id", null=False)
    site = _fk(Site, "site_id", null=False)
    kind = Text()
    user = _fk(User, "user_id")
    created_by = _fk(User, "created_by_id")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    blocked_until = Timestamptz()
    status = Text(default="confirmed")
    purpose = Text(default="")
    sequence = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    checked_out_at = Timestamptz(null=True, default=None)
    returned_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    no_show_at = Timestamptz(null=True, default=None)
    series = _fk(BookingSeries, "series_id")
    occurrence_date = Date(null=True, default=None)
    # Set when the system cancels: resource_retired, resource_lost, closure; staff: someone else's booking
    # cancelled at the desk (issue 20). The note says why to the learner.
    cancel_reason = Text(null=True, default=None)
    cancel_note = Text(default="")
    # The booker named this unit (not "any unit of the kind"): when it leaves service the booking
    # is withdrawn rather than moved (fablab/inventory/out_of_service.py).
    unit_chosen = Boolean(default=False)
    # The unit it was moved off when that one left service (the learner's list says so).
    moved_from = _fk(Resource, "moved_from_id")


class WaitlistEntry(Table, tablename="waitlist_entry", db=DB):
    id = BigSerial(primary_key=True)
    user = _fk(User, "user_id", null=False)
    site = _fk(Site, "site_id", null=False)
    kind = Text()
    resource = _fk(Resource, "resource_id")
    day = Date()
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    status = Text(default="waiting")
    booking = _fk(Booking, "booking_id")
    skip_reason = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
    seen_at = Timestamptz(null=True, default=None)


class Audit(Table, tablename="audit", db=DB):
    id = Serial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    started_by = _fk(User, "started_by_id")
    started_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)
    report = JSONB(null=True, default=None)


class Part(Table, tablename="part", db=DB):
    """A part that travels with an item (issue 19); removed from it, never deleted (history names it)."""

    id = Serial(primary_key=True)
    resource = _fk(Resource, "resource_id", null=False)
    name = Text()
    tag = Varchar(length=40, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    removed_at = Timestamptz(null=True, default=None)


class PartCustody(Table, tablename="part_custody", db=DB):
    """A part's way with one loan of its item: handed over or not; back, or missing and held."""

    id = BigSerial(primary_key=True)
    part = _fk(Part, "part_id", null=False)
    booking = _fk(Booking, "booking_id", null=False)
    handed_over = Boolean()
    out_at = Timestamptz()
    missing_at = Timestamptz(null=True, default=None)
    back_at = Timestamptz(null=True, default=None)
    back_staff = _fk(User, "back_staff_id")


class Movement(Table, tablename="movement", db=DB):
    id = BigSerial(primary_key=True)
    resource = _fk(Resource, "resource_id", null=False)
    kind = Text()
    booking = _fk(Booking, "booking_id")
    holder = _fk(User, "holder_id")
    staff = _fk(User, "staff_id")
    audit = _fk(Audit, "audit_id")
    site = _fk(Site, "site_id")
    at = Timestamptz(default=TimestamptzNow())
    condition = Text(null=True, default=None)
    note = Text(default="")
    part = _fk(Part, "part_id")  # the part_* kinds name theirs


class UserSession(Table, tablename="user_session", db=DB):
    id = BigSerial(primary_key=True)
    token_hash = Text(unique=True, secret=True)
    user = _fk(User, "user_id", null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class FeedToken(Table, tablename="feed_token", db=DB):
    id = Serial(primary_key=True)
    token_hash = Text(unique=True, secret=True)
    user = _fk(User, "user_id", null=False)
    scope = Text()
    site = _fk(Site, "site_id")
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class Invite(Table, tablename="invite", db=DB):
    id = Serial(primary_key=True)
    token_hash = Text(unique=True, secret=True)
    user = _fk(User, "user_id", null=False)
    created_by = _fk(User, "created_by_id")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table, tablename="login_attempt", db=DB):
    id = BigSerial(primary_key=True)
    key = Text()
    at = Timestamptz(default=TimestamptzNow())


class AppSetting(Table, tablename="app_setting", db=DB):
    key = Text(primary_key=True)
    value = JSONB()
    updated_at = Timestamptz(default=TimestamptzNow())


class FeedEpoch(Table, tablename="feed_epoch", db=DB):
    """A counter per site bumped by triggers when what its calendars show changes (migration 0005).

    site_id 0 stands for "every site" (a TRUNCATE), so it is no foreign key.
    """

    site_id = Integer(primary_key=True)
    version = BigInt(default=0)
    changed_at = Timestamptz(default=TimestamptzNow())


class FeedState(Table, tablename="feed_state", db=DB):
    """The validators (ETag, Last-Modified) last served for a calendar feed."""

    feed_key = Text(primary_key=True)
    etag = Text()
    last_modified = Timestamptz()


class ReminderLog(Table, tablename="reminder_log", db=DB):
    """The reminders' sent-log: one row per subject, kind and recipient, so a reminder goes once.
    subject names what it is about in its domain ('booking:12', 'consent:7'); booking is set for a
    booking's; recipient is None for a reminder to a subject's own address (a guardian, issue 30)."""

    id = BigSerial(primary_key=True)
    booking = _fk(Booking, "booking_id")
    kind = Text()
    recipient = _fk(User, "recipient_id")
    status = Text()
    attempts = Integer(default=1)
    last_error = Text(null=True, default=None)
    last_tried_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    subject = Text()


class PushSubscription(Table, tablename="push_subscription", db=DB):
    id = BigSerial(primary_key=True)
    user = _fk(User, "user_id", null=False)
    session = _fk(UserSession, "session_id")
    endpoint = Text(unique=True)
    p256dh = Text(secret=True)
    auth = Text(secret=True)
    lang = Text(default="fr")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PushDelivery(Table, tablename="push_delivery", db=DB):
    """The push sent-log: one row per event (subject, kind, recipient) and phone, so a notification
    goes once (issue 20); booking is set for a booking's subjects."""

    id = BigSerial(primary_key=True)
    booking = _fk(Booking, "booking_id")
    kind = Text()
    recipient = _fk(User, "recipient_id", null=False)
    subscription = _fk(PushSubscription, "subscription_id", null=False)
    status = Text()
    attempts = Integer(default=1)
    last_tried_at = Timestamptz()
    next_try_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    subject = Text()


class Consumable(Table, tablename="consumable", db=DB):
    """Filament, resin and other supplies of a site (issue 19); quantity changes only with a ledger row."""

    id = Serial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    name = Text()
    unit = Text()
    quantity = Integer(default=0)
    low_threshold = Integer(default=0)
    monthly_budget_per_learner = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ConsumableMovement(Table, tablename="consumable_movement", db=DB):
    """The stock ledger, append-only (a trigger refuses updates and deletes)."""

    id = BigSerial(primary_key=True)
    consumable = _fk(Consumable, "consumable_id", null=False)
    kind = Text()
    delta = Integer()
    quantity_after = Integer()
    booking = _fk(Booking, "booking_id")
    user = _fk(User, "user_id")
    staff = _fk(User, "staff_id")
    note = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class PrintLog(Table, tablename="print_log", db=DB):
    """How a 3D print went, one row per booking (grams from the ledger, duration from the booking)."""

    booking = ForeignKey(references=Booking, db_column_name="booking_id", primary_key=True)
    outcome = Text()
    staff = _fk(User, "staff_id")
    recorded_at = Timestamptz(default=TimestamptzNow())


class ConsumableAlert(Table, tablename="consumable_alert", db=DB):
    """A stock below its threshold, open until restocked at or above it; mailed once."""

    id = BigSerial(primary_key=True)
    consumable = _fk(Consumable, "consumable_id", null=False)
    quantity = Integer()
    low_threshold = Integer()
    opened_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
    mailed_at = Timestamptz(null=True, default=None)
    mail_attempts = Integer(default=0)


class MaintenancePlan(Table, tablename="maintenance_plan", db=DB):
    """Maintenance by use (issue 19): every N hours of use, N loans or N days; a plan of an item
    (resource set) overrides its site's plan for its kind (resource NULL)."""

    id = Serial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    kind = Text()
    resource = _fk(Resource, "resource_id")
    every_hours = Integer(null=True, default=None)
    every_loans = Integer(null=True, default=None)
    every_days = Integer(null=True, default=None)
    task = Text()
    refuse_when_overdue = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class MaintenanceRecord(Table, tablename="maintenance_record", db=DB):
    """A maintenance done on an item: its counters start again from `at`."""

    id = BigSerial(primary_key=True)
    resource = _fk(Resource, "resource_id", null=False)
    task = Text()
    note = Text(default="")
    staff = _fk(User, "staff_id")
    at = Timestamptz(default=TimestamptzNow())


# --- The FabLab solidaire programme (fablab/workshops, issue 29) --------------------------------

class Partner(Table, tablename="partner", db=DB):
    """A referring structure of a site: Mission Locale, École de la 2e Chance, school, association."""

    id = Serial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    name = Text()
    kind = Text()
    contact = Text(default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Participant(Table, tablename="participant", db=DB):
    """The programme's side of a person (an app_user: participant, visitor or learner)."""

    user = ForeignKey(references=User, db_column_name="user_id", primary_key=True, null=False)
    partner = _fk(Partner, "partner_id")
    status = Text(default="unknown")
    created_by = _fk(User, "created_by_id")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Course(Table, tablename="course", db=DB):
    id = Serial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    title = Text()
    description = Text(default="")
    target_hours = Numeric(digits=(6, 2), default=Decimal(35))
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Workshop(Table, tablename="workshop", db=DB):
    """seats_taken + held_free <= capacity, checked by PostgreSQL on every change (the guarantee)."""

    id = Serial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    course = _fk(Course, "course_id")
    title = Text()
    description = Text(default="")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    room_booking = _fk(Booking, "room_booking_id")
    capacity = Integer()
    min_age = Integer(null=True, default=None)
    max_age = Integer(null=True, default=None)
    audience = Text(default="public")
    open_to_visitors = Boolean(default=False)
    status = Text(default="scheduled")
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_note = Text(default="")
    seats_taken = Integer(default=0)
    held_free = Integer(default=0)
    created_by = _fk(User, "created_by_id")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class WorkshopTrainer(Table, tablename="workshop_trainer", db=DB):
    workshop = _fk(Workshop, "workshop_id", null=False)
    user = _fk(User, "user_id", null=False)


class WorkshopHold(Table, tablename="workshop_hold", db=DB):
    """Seats held for a partner's participants until held_until."""

    workshop = _fk(Workshop, "workshop_id", null=False)
    partner = _fk(Partner, "partner_id", null=False)
    seats = Integer()
    held_until = Timestamptz()
    seats_taken = Integer(default=0)
    released_at = Timestamptz(null=True, default=None)


class Registration(Table, tablename="registration", db=DB):
    id = BigSerial(primary_key=True)
    workshop = _fk(Workshop, "workshop_id", null=False)
    user = _fk(User, "user_id")
    status = Text()
    seat = Text(null=True, default=None)
    partner = _fk(Partner, "partner_id")
    registered_by = _fk(User, "registered_by_id")
    created_at = Timestamptz(default=TimestamptzNow())
    seated_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    # What the system did that the person must be told (schema_0022), and when the e-mail went.
    notice = Text(null=True, default=None)
    told_at = Timestamptz(null=True, default=None)
    tell_attempts = Integer(default=0)


class Attendance(Table, tablename="attendance", db=DB):
    registration = ForeignKey(references=Registration, db_column_name="registration_id", primary_key=True, null=False)
    arrived_at = Timestamptz()
    left_at = Timestamptz()
    recorded_by = _fk(User, "recorded_by_id")
    recorded_at = Timestamptz(default=TimestamptzNow())


# --- visitors (issue 30): passes for visitors of the neighbourhood (fablab/visitors) -----------

class VisitorPass(Table, tablename="visitor_pass", db=DB):
    """A visitor's pass (the person is an app_user, role visitor): a day, or up to a week."""

    user = ForeignKey(references=User, db_column_name="user_id", primary_key=True, null=False)
    site = _fk(Site, "site_id", null=False)
    valid_from = Date()
    valid_until = Date()
    age_band = Text(null=True, default=None)
    purpose = Text(default="")
    created_by = _fk(User, "created_by_id")
    created_at = Timestamptz(default=TimestamptzNow())
    anonymised_at = Timestamptz(null=True, default=None)


# --- The desk's loan agreements and hand-overs (fablab/desk, issue 31) ---------------------------

class LoanAgreement(Table, tablename="loan_agreement", db=DB):
    """A site's loan agreement text, one row per version (never changed: receipts cite them)."""

    id = Serial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    version = Integer()
    text = Text()
    every_loan = Boolean(default=False)
    created_by = _fk(User, "created_by_id")
    created_at = Timestamptz(default=TimestamptzNow())


class Handover(Table, tablename="handover", db=DB):
    """Several items lent to one learner in one confirmation, with the agreement signed then."""

    id = BigSerial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    user = _fk(User, "user_id")
    staff = _fk(User, "staff_id")
    at = Timestamptz()
    due_at = Timestamptz()
    agreement = _fk(LoanAgreement, "agreement_id")
    agreement_version = Integer(null=True, default=None)
    agreement_text = Text(default="")
    signature_png = Bytea(null=True, default=None)
    signed_hash = Text(default="")


class HandoverItem(Table, tablename="handover_item", db=DB):
    id = BigSerial(primary_key=True)
    handover = _fk(Handover, "handover_id", null=False)
    booking = _fk(Booking, "booking_id", null=False)
    resource = _fk(Resource, "resource_id", null=False)
    position = SmallInt()
    due_at = Timestamptz()
    parts = JSONB(default=[])



# --- Late returns, suspensions, trainings that expire (issue 31) --------------------------------


class LatePolicy(Table, tablename="late_policy", db=DB):
    """A site's late-return rules (fablab/late): grace, strikes within a window, suspension length."""

    site = ForeignKey(references=Site, db_column_name="site_id", primary_key=True, null=False)
    enabled = Boolean(default=False)
    grace_minutes = Integer(default=15)
    strikes = Integer(default=3)
    window_days = Integer(default=30)
    suspension_days = Integer(default=14)
    updated_at = Timestamptz(default=TimestamptzNow())


class LateStrike(Table, tablename="late_strike", db=DB):
    id = BigSerial(primary_key=True)
    user = _fk(User, "user_id")
    booking = ForeignKey(references=Booking, db_column_name="booking_id", null=False, unique=True)
    site = _fk(Site, "site_id", null=False)
    due_at = Timestamptz()
    returned_at = Timestamptz()


class Suspension(Table, tablename="suspension", db=DB):
    id = BigSerial(primary_key=True)
    user = _fk(User, "user_id")
    site = _fk(Site, "site_id", null=False)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    strikes = Integer()
    window_days = Integer()
    lifted_at = Timestamptz(null=True, default=None)
    lifted_by = _fk(User, "lifted_by_id")
    lift_reason = Text(null=True, default=None)


# --- Minors and consents (issue 30): guardians, consent texts, consents (fablab/minors) ----------


class Guardian(Table, tablename="guardian", db=DB):
    """A minor's guardian: phone or e-mail, at least one (CHECK guardian_reachable)."""

    id = BigSerial(primary_key=True)
    person = _fk(User, "person_id", null=False)
    name = Text()
    relation = Text(default="")
    phone = Text(default="")
    email = Text(default="")
    created_by = _fk(User, "created_by_id")
    created_at = Timestamptz(default=TimestamptzNow())


class ConsentText(Table, tablename="consent_text", db=DB):
    """A site's consent text, one row per version (never changed: signed consents cite them)."""

    id = Serial(primary_key=True)
    site = _fk(Site, "site_id", null=False)
    version = Integer()
    text = Text()
    created_by = _fk(User, "created_by_id")
    created_at = Timestamptz(default=TimestamptzNow())


class Consent(Table, tablename="consent", db=DB):
    """A guardian's consent for a minor: what it covers, when, signed on a screen or on paper."""

    id = BigSerial(primary_key=True)
    person = _fk(User, "person_id", null=False)
    site = _fk(Site, "site_id", null=False)
    guardian = _fk(Guardian, "guardian_id")
    guardian_name = Text(default="")
    participation = Boolean(default=False)
    image_rights = Boolean(default=False)
    emergency_care = Boolean(default=False)
    starts_on = Date()
    expires_on = Date()
    method = Text()
    consent_text = _fk(ConsentText, "text_id")
    text_version = Integer(null=True, default=None)
    text_seen = Text(default="")
    signature_png = Bytea(null=True, default=None)
    signed_hash = Text(default="")
    recorded_by = _fk(User, "recorded_by_id")
    recorded_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = _fk(User, "revoked_by_id")
    reminded_at = Timestamptz(null=True, default=None)


ALL_TABLES = [
    Site, Closure, User, StaffSite, Training, Resource, Policy, Certification, BookingSeries, Booking, WaitlistEntry,
    Audit, Part, PartCustody, Movement, UserSession, FeedToken, Invite, LoginAttempt, AppSetting, FeedEpoch, FeedState, ReminderLog,
    PushSubscription, PushDelivery,
    Consumable, ConsumableMovement, PrintLog, ConsumableAlert, MaintenancePlan, MaintenanceRecord,
    # The FabLab solidaire programme.
    Partner, Participant, Course, Workshop, WorkshopTrainer, WorkshopHold, Registration, Attendance,
    # Later issues' tables: a line each, so that merges stay clean.
    LatePolicy, LateStrike, Suspension,
    VisitorPass,  # visitors (issue 30)
    LoanAgreement, Handover, HandoverItem,
    Guardian, ConsentText, Consent,
]
