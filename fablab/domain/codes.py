"""Every error code the API answers with, as a named constant: the `code` of a problem response.

The web app shows each one in French and English (section `errors` of static/i18n/fr.js and
en.js); tests/architecture/test_codes.py checks that every constant here has both messages and that no module
of fablab/ writes a code as a bare string.

One status per code. `unknown_site` is always 404: a site named in the path, the query or the
body that does not exist is a thing not found, wherever its name came from. `unknown_kind` is
always 400: kinds are a fixed vocabulary (fablab/domain/vocabulary.py), so another word is bad input.
"""

from __future__ import annotations

# --- Any request ------------------------------------------------------------------------------
BAD_REQUEST = "bad_request"
INVALID_INPUT = "invalid_input"
NOT_AUTHENTICATED = "not_authenticated"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
METHOD_NOT_ALLOWED = "method_not_allowed"
CONFLICT = "conflict"
BODY_TOO_LARGE = "body_too_large"
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
TOO_MANY_ATTEMPTS = "too_many_attempts"
SERVICE_UNAVAILABLE = "service_unavailable"
DATABASE_UNAVAILABLE = "database_unavailable"
TRY_AGAIN = "try_again"
STORAGE_FULL = "storage_full"
INTERNAL_ERROR = "internal_error"
HEADERS_TOO_LARGE = "headers_too_large"  # 431, from the direct server (fablab/platform/server_protocol.py)
REQUEST_TIMEOUT = "request_timeout"  # 408: a request head or body that arrives too slowly
ERROR = "error"  # an HTTP status no other code names
INVALID_HOST = "invalid_host"
INVALID_PATH = "invalid_path"
JSON_TOO_DEEP = "json_too_deep"
INVALID_CSV = "invalid_csv"
IMPORT_REJECTED = "import_rejected"  # a users import with bad lines: nothing created, the lines listed
FILE_TOO_LARGE = "file_too_large"
STAFF_ONLY = "staff_only"

# --- Dates and times (fablab/domain/moments.py) --------------------------------------------------------
DATE_OUT_OF_RANGE = "date_out_of_range"
NAIVE_TIMESTAMP = "naive_timestamp"
INVALID_DATE = "invalid_date"
INVALID_DATES = "invalid_dates"
INVALID_TIME = "invalid_time"
ENDS_BEFORE_START = "ends_before_start"
TIMES_REQUIRED = "times_required"

# --- Sites, their rules, the boundary between them ----------------------------------------------
UNKNOWN_SITE = "unknown_site"
SITE_REQUIRED = "site_required"
NOT_YOUR_SITE = "not_your_site"
NOT_A_LEARNER = "not_a_learner"
UNKNOWN_KIND = "unknown_kind"
UNKNOWN_CLOSURE = "unknown_closure"
INVALID_TIMEZONE = "invalid_timezone"
INVALID_OPENING_HOURS = "invalid_opening_hours"
INVALID_POLICY = "invalid_policy"

# --- Accounts ---------------------------------------------------------------------------------
INVALID_CREDENTIALS = "invalid_credentials"
WEAK_PASSWORD = "weak_password"
UNKNOWN_INVITE = "unknown_invite"
UNKNOWN_USER = "unknown_user"
UNKNOWN_PASS = "unknown_pass"
LOGIN_TAKEN = "login_taken"
INVALID_LOGIN = "invalid_login"
NAME_REQUIRED = "name_required"
INVALID_ROLE = "invalid_role"
ROLE_NOT_ALLOWED = "role_not_allowed"
NOT_STAFF = "not_staff"
CANNOT_CHANGE_SELF = "cannot_change_self"
COHORT_TOO_LARGE = "cohort_too_large"
INVALID_EXPIRY = "invalid_expiry"
UNKNOWN_TRAINING = "unknown_training"
TRAINING_EXISTS = "training_exists"
UNKNOWN_CERTIFICATION = "unknown_certification"
# An erasure (POST /api/users/{id}/erase) waits until the person has given back what they hold.
PERSON_HOLDS_ITEM = "person_holds_item"
PERSON_HOLDS_PART = "person_holds_part"

# --- Bookings and their rules -------------------------------------------------------------------
POLICY_VIOLATION = "policy_violation"
BOOKING_CONFLICT = "booking_conflict"
OUTSIDE_OPENING_HOURS = "outside_opening_hours"
CLOSED_DAY = "closed_day"
TOO_LONG = "too_long"
TOO_SHORT = "too_short"
MISALIGNED = "misaligned"
TOO_FAR_AHEAD = "too_far_ahead"
IN_THE_PAST = "in_the_past"
QUOTA_EXCEEDED = "quota_exceeded"
TRAINING_REQUIRED = "training_required"
RESOURCE_UNAVAILABLE = "resource_unavailable"
RESOURCE_OR_KIND = "resource_or_kind"
RESOURCE_REQUIRED = "resource_required"
UNKNOWN_RESOURCE = "unknown_resource"
UNKNOWN_BOOKING = "unknown_booking"
NOT_CANCELLABLE = "not_cancellable"
ALREADY_STARTED = "already_started"
NOT_EDITABLE = "not_editable"
NOTHING_TO_CHANGE = "nothing_to_change"
OVERRIDE_NOT_ALLOWED = "override_not_allowed"
NOT_ALLOWED_FOR_OTHERS = "not_allowed_for_others"
INVALID_SCOPE = "invalid_scope"

# --- Series -----------------------------------------------------------------------------------
UNKNOWN_SERIES = "unknown_series"
NOT_IN_SERIES = "not_in_series"
SERIES_CONFLICTS = "series_conflicts"
INVALID_INTERVAL = "invalid_interval"
INVALID_ON_CONFLICT = "invalid_on_conflict"
INVALID_QUANTITY = "invalid_quantity"
INVALID_WEEKDAY = "invalid_weekday"
NO_OCCURRENCES = "no_occurrences"
TOO_MANY_OCCURRENCES = "too_many_occurrences"
UNTIL_OR_COUNT = "until_or_count"

# --- Waitlist ---------------------------------------------------------------------------------
ALREADY_WAITING = "already_waiting"
NOT_WAITING = "not_waiting"
UNKNOWN_ENTRY = "unknown_entry"
DATE_REQUIRED = "date_required"
RESOURCE_MISMATCH = "resource_mismatch"

# --- Inventory and the desk ---------------------------------------------------------------------
UNKNOWN_TAG = "unknown_tag"
INVALID_TAG = "invalid_tag"
TAG_TAKEN = "tag_taken"
INVALID_STATUS = "invalid_status"
INVALID_DETAILS = "invalid_details"
CHECKED_OUT = "checked_out"
ALREADY_CHECKED_OUT = "already_checked_out"
NOT_CHECKED_OUT = "not_checked_out"
HOLDER_REQUIRED = "holder_required"
DUE_AT_REQUIRED = "due_at_required"
DUE_AT_IN_PAST = "due_at_in_past"
BOOKING_MISMATCH = "booking_mismatch"
BOOKING_NOT_CONFIRMED = "booking_not_confirmed"
UNKNOWN_AUDIT = "unknown_audit"
AUDIT_ALREADY_OPEN = "audit_already_open"
AUDIT_CLOSED = "audit_closed"
SELECTION_REQUIRED = "selection_required"
INVALID_OFFSET = "invalid_offset"
NO_QR_FOUND = "no_qr_found"
UNSUPPORTED_IMAGE = "unsupported_image"
DAMAGED_IMAGE = "damaged_image"
IMAGE_TOO_LARGE = "image_too_large"
IMAGE_TOO_COSTLY = "image_too_costly"  # 422: a JPEG whose decode would cost too much CPU or memory
SVG_NOT_ACCEPTED = "svg_not_accepted"
EMPTY_FILE = "empty_file"

# --- Push notifications -------------------------------------------------------------------------
PUSH_ENDPOINT_NOT_ALLOWED = "push_endpoint_not_allowed"
INVALID_PUSH_KEYS = "invalid_push_keys"
PUSH_NOT_SUBSCRIBED = "push_not_subscribed"
UNKNOWN_PUSH_SUBSCRIPTION = "unknown_push_subscription"
PUSH_UNAVAILABLE = "push_unavailable"

# --- Reports ----------------------------------------------------------------------------------
INVALID_PERIOD = "invalid_period"
INVALID_FORMAT = "invalid_format"
INVALID_TABLE = "invalid_table"


# --- Parts, consumables and maintenance (issue 19) ---------------------------------------
INVALID_MONTH = "invalid_month"
UNKNOWN_CONSUMABLE = "unknown_consumable"
TAG_OR_BOOKING_REQUIRED = "tag_or_booking_required"
CONSUMABLE_EXISTS = "consumable_exists"
BOOKING_OTHER_SITE = "booking_other_site"
DUPLICATE_CONSUMABLE = "duplicate_consumable"
CONSUMABLE_OTHER_SITE = "consumable_other_site"
OVER_BUDGET = "over_budget"
OUTCOME_NOT_FOR_PRINTER = "outcome_not_for_printer"
INSUFFICIENT_STOCK = "insufficient_stock"
UNKNOWN_PART = "unknown_part"
TOO_MANY_PARTS = "too_many_parts"
PART_NOT_LENT = "part_not_lent"
PART_NOT_MISSING = "part_not_missing"
PART_HELD = "part_held"
PLAN_NEEDS_A_MEASURE = "plan_needs_a_measure"
INVALID_PLAN = "invalid_plan"
TASK_REQUIRED = "task_required"
MAINTENANCE_OVERDUE = "maintenance_overdue"


# --- Workshops, courses, partners, participants (issue 29) -------------------------------------
UNKNOWN_PARTNER = "unknown_partner"
PARTNER_EXISTS = "partner_exists"
PARTNER_OTHER_SITE = "partner_other_site"
UNKNOWN_PARTICIPANT = "unknown_participant"
UNKNOWN_WORKSHOP = "unknown_workshop"
UNKNOWN_COURSE = "unknown_course"
COURSE_OTHER_SITE = "course_other_site"
ROOM_OTHER_SITE = "room_other_site"
NOT_A_ROOM = "not_a_room"
TRAINER_NOT_STAFF = "trainer_not_staff"
INVALID_HOLDS = "invalid_holds"
CAPACITY_BELOW_TAKEN = "capacity_below_taken"
WORKSHOP_CANCELLED = "workshop_cancelled"
WORKSHOP_OVER = "workshop_over"
ALREADY_REGISTERED = "already_registered"
REFERRAL_ONLY = "referral_only"
WORKSHOP_TOO_OLD = "workshop_too_old"
UNKNOWN_REGISTRATION = "unknown_registration"
NOT_REGISTERED = "not_registered"
PASS_OR_PARTICIPANT = "pass_or_participant"
INVALID_ATTENDANCE = "invalid_attendance"
BIRTH_DATE_AND_YEAR = "birth_date_and_year"

# --- visitors (issue 30): passes for visitors of the neighbourhood -----------------------------
UNKNOWN_VISITOR = "unknown_visitor"                            # 404: no visitor by that id (or forgotten)
VISITOR_PASS_TOO_LONG = "visitor_pass_too_long"                # 400: a pass lasts a day, a week at most
VISITOR_PASS_IN_PAST = "visitor_pass_in_past"                  # 400: a pass starts today or later
VISITOR_PASS_EXPIRED = "visitor_pass_expired"                  # 422: the pass ended before the workshop's day
VISITOR_PASS_NOT_YET_VALID = "visitor_pass_not_yet_valid"      # 422: the pass starts after the workshop's day
WORKSHOP_NOT_OPEN_TO_VISITORS = "workshop_not_open_to_visitors"  # 422: the workshop takes no visitors

# --- The impact report (issue 29) ------------------------------------------------------------

# --- The desk: agreements, hand-overs of several items, receipts, the counter (issue 31) ------
AGREEMENT_REQUIRED = "agreement_required"
AGREEMENT_CHANGED = "agreement_changed"
INVALID_SIGNATURE = "invalid_signature"
UNKNOWN_HANDOVER = "unknown_handover"
DUPLICATE_ITEM = "duplicate_item"

# --- Late returns, suspensions, trainings that expire (issue 31) -------------------------------
SUSPENDED = "suspended"                        # 422: late returns suspended new bookings and loans until a date
NOT_SUSPENDED = "not_suspended"                # 409: nothing to lift
LIFT_REASON_REQUIRED = "lift_reason_required"  # 400: a lift is explained
TRAINING_EXPIRED = "training_expired"          # 422: the training lapsed; staff grant it again to renew
INVALID_VALIDITY = "invalid_validity"          # 400: a training's validity without its days or date

# --- Minors and consents (issue 30) ------------------------------------------------------------
CONSENT_REQUIRED = "consent_required"          # 422: a minor without a guardian's valid consent (what is missing named)
TOO_YOUNG = "too_young"                        # 422: under a minimum age: a policy's (a trainer may book for them) or a workshop's
UNKNOWN_GUARDIAN = "unknown_guardian"          # 404
GUARDIAN_UNREACHABLE = "guardian_unreachable"  # 400: a guardian needs a phone or an e-mail
UNKNOWN_CONSENT = "unknown_consent"            # 404
INVALID_CONSENT = "invalid_consent"            # 400: covers nothing, dates backwards, or a paper form without its date
NO_CONSENT_TEXT = "no_consent_text"            # 409: the site has no consent text to sign yet
CONSENT_TEXT_CHANGED = "consent_text_changed"  # 409: the guardian saw an older version than the current one
NOT_A_MINOR = "not_a_minor"                    # 409: guardians and consents are for people under 18
ALREADY_REVOKED = "already_revoked"            # 409

# --- Screens (issue 28) ------------------------------------------------------------------------


def all_codes() -> set[str]:
    """Every code above (what tests/architecture/test_codes.py holds to the app's dictionaries)."""
    return {value for name, value in globals().items() if name.isupper() and isinstance(value, str)}
