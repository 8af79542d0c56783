"""Today's hand-kept coverage of accounts/privacy.py, as declarations (the coverage test's first run)."""

from fablab.person_data import PersonTable as T

TABLES = (
    T("app_user", {"id": "delete"}, personal=("name", "login", "email", "cohort"), kept=("role",),
      secret=("password_hash", "pass_token_hash"), export=("account", ""), retention="-"),
    T("certification", {"user_id": "delete"}, export=("certifications", ""), retention="-"),
    T("booking", {"user_id": "forget", "created_by_id": "forget"}, personal=("purpose",), export=("bookings", ""),
      retention="-"),
    T("movement", {"holder_id": "forget", "staff_id": "forget"}, personal=("note",), export=("movements", ""),
      retention="-"),
    T("waitlist_entry", {"user_id": "delete"}, export=("waitlist", ""), retention="-"),
    T("booking_series", {"user_id": "forget", "created_by_id": "forget"}, personal=("purpose",), export=("x", ""),
      retention="-"),
    T("user_session", {"user_id": "delete"}, export=("sessions", ""), retention="-"),
    T("feed_token", {"user_id": "delete"}, export=("calendar_feeds", ""), retention="-"),
    T("push_subscription", {"user_id": "delete"}, export=("push_subscriptions", ""), retention="-"),
)
