"""The booking rules a new site starts with, per kind (issue 4's defaults)."""

PRINTER_TRAINING = "Impression 3D – bases"

DEFAULT_POLICIES = {
    # Rooms by 30-minute slots, up to 4 h, two weeks ahead.
    "room": dict(unit="minutes", slot_minutes=30, min_length=30, max_length=240, max_days_ahead=14,
                 buffer_minutes=0, may_end_after_closing=False, checkout_grace_minutes=15,
                 max_active_bookings=3, max_hours_per_week=12),
    # Printers run overnight: a print may end after closing but starts within opening hours.
    "printer_3d": dict(unit="minutes", slot_minutes=30, min_length=30, max_length=720, max_days_ahead=14,
                       buffer_minutes=15, may_end_after_closing=True, checkout_grace_minutes=30,
                       max_active_bookings=2, max_hours_per_week=24),
    # Laptops are lent by the opening day, 1 to 5 days.
    "laptop": dict(unit="days", slot_minutes=1440, min_length=1, max_length=5, max_days_ahead=14,
                   buffer_minutes=0, may_end_after_closing=False, checkout_grace_minutes=120,
                   max_active_bookings=1, max_hours_per_week=None),
}
