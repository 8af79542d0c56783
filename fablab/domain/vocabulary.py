"""The domain's words, defined once: kinds, statuses, weekdays, units, conditions, roles.

The migrations' CHECKs say the same lists in SQL (tests/architecture/test_vocabulary.py holds them equal, read
from pg_constraint); the web app gets them from `GET /api/vocabulary`, and its labels are keyed by
these values in static/i18n/fr.js and en.js (the same test checks that each one has a label).
Order matters where it is shown: kinds and statuses are listed in the order people see them.
"""

from __future__ import annotations

from typing import Literal

# What can be booked, and the middle part of a generated asset tag (`VLG-LAP-007`).
KIND_TAG_PREFIX = {"laptop": "LAP", "printer_3d": "P3D", "room": "ROOM"}
KINDS = tuple(KIND_TAG_PREFIX)

RESOURCE_STATUSES = ("available", "maintenance", "lost", "retired")

BOOKING_STATUSES = ("confirmed", "checked_out", "returned", "cancelled", "no_show")
# The statuses that hold a unit: the exclusion constraint's predicate (docs/ARCHITECTURE.md, Rules, 1).
ACTIVE_BOOKING_STATUSES = ("confirmed", "checked_out")
# A booking that will not change again; its personal data may be anonymised after the retention.
FINISHED_BOOKING_STATUSES = ("returned", "cancelled", "no_show")
# Why the system (not the learner) cancelled a booking; NULL when the booker did.
CANCEL_REASONS = ("resource_retired", "resource_lost", "closure", "staff", "resource_maintenance")

# The keys of a week: opening hours `{"mon": [...]}`, series' weekdays, the reports' heat map.
# Index = date.weekday(), so `WEEKDAYS[day.weekday()]` names a date's day.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# How a policy counts lengths: minutes, or opening days (laptops lent by the day).
POLICY_UNITS = ("minutes", "days")

# The state an item comes back in at the desk.
CONDITIONS = ("ok", "damaged", "incomplete")

MOVEMENT_KINDS = ("check_out", "check_in", "maintenance_start", "maintenance_end", "lost", "found",
                  "audit_seen", "transfer", "retired",
                  # Parts that travel with an item (fablab/parts) and maintenance by use (fablab/maintenance).
                  "part_not_handed_over", "part_missing", "part_returned", "maintenance_done")

# Who signs in: learners, staff, admins. Participants (a young person a partner refers to a workshop)
# and visitors (a pass for a day or a week) are people without an account: no password, ever.
ACCOUNT_ROLES = ("learner", "staff", "admin")
ROLES = (*ACCOUNT_ROLES, "participant", "visitor")

WAITLIST_STATUSES = ("waiting", "booked", "removed", "expired")

# The FabLab solidaire programme (fablab/workshops): who refers young people, what their situation
# is (the funders' report counts them by it), who a workshop is for, and the life of a sign-up.
PARTNER_KINDS = ("mission_locale", "e2c", "school", "association", "other")
PARTICIPANT_STATUSES = ("job_seeker", "pupil", "student", "neet", "employed", "trainee", "other", "unknown")
WORKSHOP_AUDIENCES = ("public", "referral")
WORKSHOP_STATUSES = ("scheduled", "cancelled")
REGISTRATION_STATUSES = ("registered", "waiting", "cancelled")
SEAT_POOLS = ("open", "partner")
# What the system did to a sign-up that its person is told of (app, e-mail).
REGISTRATION_NOTICES = ("seated", "workshop_cancelled")

# What a reminder (e-mail, push) is about.
REMINDER_KINDS = ("booking_start", "loan_due", "loan_overdue", "waitlist_booked", "booking_withdrawn",
                  "loan_overdue_day", "loan_overdue_three_days", "consent_expiring", *REGISTRATION_NOTICES)

# How long a training stays valid (issue 31): for ever, N days from its grant, until a date, or
# until N days without booking what it unlocks.
TRAINING_VALIDITIES = ("forever", "days", "until", "idle")

# Minors and consents (issue 30): what a guardian's consent may cover, and how it was given (a
# signature drawn on a staff phone, or a paper form staff received).
CONSENT_COVERS = ("participation", "image_rights", "emergency_care")
CONSENT_METHODS = ("signed", "paper")

# The app's languages (push notifications are written in the phone's).
LANGUAGES = ("fr", "en")

# For request bodies: msgspec refuses any other value as the body is decoded.
# Consumables (fablab/consumables): units counted, the ledger's kinds of movement, a print's outcome.
CONSUMABLE_UNITS = ("g", "ml", "unit")
CONSUMABLE_MOVEMENT_KINDS = ("restock", "use", "adjust", "loss")
PRINT_OUTCOMES = ("success", "failed")

Kind = Literal[KINDS]  # type: ignore[valid-type]
ResourceStatus = Literal[RESOURCE_STATUSES]  # type: ignore[valid-type]
PolicyUnit = Literal[POLICY_UNITS]  # type: ignore[valid-type]
Condition = Literal[CONDITIONS]  # type: ignore[valid-type]
Language = Literal[LANGUAGES]  # type: ignore[valid-type]
ConsumableUnit = Literal[CONSUMABLE_UNITS]  # type: ignore[valid-type]
ConsumableMovementKind = Literal[CONSUMABLE_MOVEMENT_KINDS]  # type: ignore[valid-type]
PrintOutcome = Literal[PRINT_OUTCOMES]  # type: ignore[valid-type]
TrainingValidity = Literal[TRAINING_VALIDITIES]  # type: ignore[valid-type]

# --- visitors (issue 30) ----------------------------------------------------------------------
# A visitor's optional age band: the impact report's bands (fablab/domain/ages.py AGE_BANDS), by name.
AGE_BAND_NAMES = ("under_16", "16_17", "18_25", "over_25")
AgeBand = Literal[AGE_BAND_NAMES]  # type: ignore[valid-type]
