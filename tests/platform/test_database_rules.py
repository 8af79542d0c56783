"""The rules PostgreSQL itself enforces, tested with SQL (no Python check in the way)."""

import os
from datetime import datetime
from pathlib import Path

import asyncpg
import pytest

from fablab.platform import db
from fablab.platform.migrate import migrate_backwards, migrate_forwards
from fablab.platform.migration_sql import run_sql_file

pytestmark = pytest.mark.pg_engine

INSERT_BOOKING = """
INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until, status)
SELECT r.id, r.site_id, r.kind, (SELECT id FROM app_user WHERE login = 'learner1'),
       $2::timestamptz, $3::timestamptz, $3::timestamptz + make_interval(mins => $4), $5
FROM resource r WHERE r.tag = $1
RETURNING id
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def book(tag, start, end, status="confirmed", buffer_minutes=0):
    return await db.fetchval(INSERT_BOOKING, tag, at(start), at(end), buffer_minutes, status)


async def test_overlapping_active_bookings_are_rejected_by_postgres(demo):
    await book("VLG-ROOM-001", "2026-12-01T10:00Z", "2026-12-01T12:00Z")
    with pytest.raises(asyncpg.ExclusionViolationError) as caught:
        await book("VLG-ROOM-001", "2026-12-01T11:00Z", "2026-12-01T13:00Z")
    assert caught.value.sqlstate == "23P01"
    assert caught.value.constraint_name == "booking_no_overlap"


async def test_back_to_back_bookings_are_accepted(demo):
    await book("VLG-ROOM-001", "2026-12-01T10:00Z", "2026-12-01T12:00Z")
    assert await book("VLG-ROOM-001", "2026-12-01T12:00Z", "2026-12-01T14:00Z")


async def test_buffer_after_a_booking_blocks_the_next_start(demo):
    await book("VLG-P3D-001", "2026-12-01T10:00Z", "2026-12-01T12:00Z", buffer_minutes=15)
    with pytest.raises(asyncpg.ExclusionViolationError):
        await book("VLG-P3D-001", "2026-12-01T12:10Z", "2026-12-01T13:00Z")
    assert await book("VLG-P3D-001", "2026-12-01T12:15Z", "2026-12-01T13:00Z")


@pytest.mark.parametrize("status", ["cancelled", "no_show", "returned"])
async def test_inactive_booking_does_not_block(demo, status):
    await book("VLG-ROOM-001", "2026-12-01T10:00Z", "2026-12-01T12:00Z", status=status)
    assert await book("VLG-ROOM-001", "2026-12-01T10:00Z", "2026-12-01T12:00Z")


async def test_other_resource_is_not_blocked(demo):
    await book("VLG-ROOM-001", "2026-12-01T10:00Z", "2026-12-01T12:00Z")
    assert await book("VLG-ROOM-002", "2026-12-01T10:00Z", "2026-12-01T12:00Z")


async def test_two_open_checkouts_of_one_resource_are_rejected(demo):
    await book("VLG-LAP-001", "2026-12-01T08:00Z", "2026-12-01T17:00Z", status="checked_out")
    with pytest.raises(asyncpg.UniqueViolationError) as caught:
        await book("VLG-LAP-001", "2026-12-02T08:00Z", "2026-12-02T17:00Z", status="checked_out")
    assert caught.value.constraint_name == "booking_one_checked_out"


async def test_end_before_start_is_rejected(demo):
    with pytest.raises(asyncpg.CheckViolationError):
        await book("VLG-ROOM-001", "2026-12-01T12:00Z", "2026-12-01T10:00Z")


async def test_unknown_status_is_rejected(demo):
    with pytest.raises(asyncpg.CheckViolationError):
        await book("VLG-ROOM-001", "2026-12-01T10:00Z", "2026-12-01T12:00Z", status="maybe")


async def test_tags_are_unique_whatever_the_case(demo):
    with pytest.raises(asyncpg.CheckViolationError):
        await db.fetch("INSERT INTO resource (site_id, kind, name, tag) VALUES (1, 'laptop', 'x', 'vlg-lap-001')")
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.fetch("INSERT INTO resource (site_id, kind, name, tag) VALUES (1, 'laptop', 'x', 'VLG-LAP-001')")


async def test_movements_are_append_only(demo):
    movement_id = await db.fetchval(
        "INSERT INTO movement (resource_id, kind, holder_id, note) VALUES (1, 'check_out', 5, 'ok') RETURNING id")
    with pytest.raises(asyncpg.RestrictViolationError):
        await db.fetch("UPDATE movement SET kind = 'check_in' WHERE id = $1", movement_id)
    with pytest.raises(asyncpg.RestrictViolationError):
        await db.fetch("DELETE FROM movement WHERE id = $1", movement_id)
    # Forgetting the person (GDPR) is the one change allowed.
    await db.fetch("UPDATE movement SET holder_id = NULL, note = '' WHERE id = $1", movement_id)


async def test_migrations_run_backwards_and_forwards(pg_admin_url):
    name = f"fablab_test_migrations_{os.getpid()}"
    admin = await asyncpg.connect(pg_admin_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = pg_admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        await migrate_forwards(url)
        await migrate_backwards(url)
        conn = await asyncpg.connect(url)
        assert await conn.fetchval("SELECT to_regclass('booking')") is None
        await conn.close()
        await migrate_forwards(url)
        conn = await asyncpg.connect(url)
        assert await conn.fetchval("SELECT to_regclass('booking')") == "booking"
        constraint = await conn.fetchval(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'booking_no_overlap'")
        assert "EXCLUDE USING gist" in constraint
        await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_migration_0027_keys_the_sent_logs_by_subject_and_keeps_their_rows(demo):
    """The reminders' sent-logs are keyed by (subject, kind, recipient): a booking's rows become
    'booking:<id>', and a subject of another domain needs no booking (issue 25, item 4)."""
    migrations = Path(__file__).parents[2] / "migrations"
    booking = await book("VLG-ROOM-001", "2026-12-01T10:00Z", "2026-12-01T11:00Z")
    await run_sql_file(migrations / "schema_0027_reminder_subjects_down.sql")
    await db.fetch("INSERT INTO reminder_log (booking_id, kind, recipient_id, status, last_tried_at, sent_at) "
                   "SELECT $1, 'booking_start', user_id, 'sent', now(), now() FROM booking WHERE id = $1", booking)
    await run_sql_file(migrations / "schema_0027_reminder_subjects.sql")
    assert await db.fetchval("SELECT subject FROM reminder_log") == f"booking:{booking}"
    # A guardian's reminder: no booking, no account, and still once (NULLS NOT DISTINCT).
    insert = ("INSERT INTO reminder_log (subject, kind, status, last_tried_at, sent_at) "
              "VALUES ('consent:7', 'consent_expiring', 'sent', now(), now())")
    await db.fetch(insert)
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.fetch(insert)
