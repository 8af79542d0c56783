"""The invariant audit finds each kind of breakage it claims to (and none on clean data)."""

from datetime import datetime, timedelta, timezone

from fablab.platform import db
from fablab.invariants import audit_invariants
from fablab.seed import seed_demo_bookings


def results_by_name(results):
    return {result.name: result for result in results}


async def test_demo_bookings_hold_every_invariant(demo):
    assert await seed_demo_bookings(demo, datetime.now(timezone.utc)) > 0
    failures = [result for result in await audit_invariants() if not result.holds]
    assert failures == []


async def test_audit_detects_a_returned_booking_without_check_out(demo):
    start = datetime.now(timezone.utc) - timedelta(days=2)
    await db.fetch(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, status, returned_at) "
        "VALUES (1, 1, 'laptop', 5, $1, $2, $2, 'returned', $2)", start, start + timedelta(hours=8))
    results = results_by_name(await audit_invariants())
    assert not results["every checked-out booking has its check-out movement"].holds
    assert not results["booking states carry their transition times"].holds
    assert results["no overlapping active bookings"].holds


async def test_audit_detects_a_check_out_never_closed(demo):
    start = datetime.now(timezone.utc) - timedelta(days=2)
    booking_id = await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, status, "
        "checked_out_at, cancelled_at) VALUES (1, 1, 'laptop', 5, $1, $2, $2, 'cancelled', $1, $1) RETURNING id",
        start, start + timedelta(hours=8))
    await db.fetch("INSERT INTO movement (resource_id, kind, booking_id, holder_id) VALUES (1, 'check_out', $1, 5)", booking_id)
    results = results_by_name(await audit_invariants())
    assert not results["every check-out movement is closed by a check-in or still open"].holds


async def test_audit_detects_a_waitlist_entry_served_with_someone_elses_booking(demo):
    start = datetime.now(timezone.utc) + timedelta(days=2)
    booking_id = await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until) "
        "VALUES (1, 1, 'laptop', 5, $1, $2, $2) RETURNING id", start, start + timedelta(hours=8))
    await db.fetch(
        "INSERT INTO waitlist_entry (user_id, site_id, kind, day, starts_at, ends_at, status, booking_id) "
        "VALUES (6, 1, 'laptop', $1, $2, $3, 'booked', $4)", start.date(), start, start + timedelta(hours=8), booking_id)
    results = results_by_name(await audit_invariants())
    assert not results["a waitlist entry is served once, by a booking of its own learner"].holds
    assert results["series occurrences belong to their series' site and kind"].holds
