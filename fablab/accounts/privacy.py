"""Personal data (GDPR): a user's own data as JSON, and anonymisation after the retention period."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from fablab import db
from fablab.bookings.service import anonymise_finished
from fablab.db import DB

RETENTION_KEY = "retention_days"
# Two years: long enough to answer "who had this laptop last spring?", then the person goes.
DEFAULT_RETENTION_DAYS = 730


async def retention() -> tuple[int, bool]:
    """(days, is_default)."""
    value = await db.fetchval("SELECT value FROM app_setting WHERE key = $1", RETENTION_KEY)
    if value is None:
        return DEFAULT_RETENTION_DAYS, True
    # asyncpg hands jsonb over as text unless a codec is set; accept both.
    return int(json.loads(value) if isinstance(value, str) else value), False


async def set_retention(days: int) -> None:
    await db.fetch(
        "INSERT INTO app_setting (key, value, updated_at) VALUES ($1, $2::jsonb, now()) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
        RETENTION_KEY, json.dumps(days),
    )


async def anonymise_expired(*, days: int | None = None, now: datetime | None = None) -> dict:
    """Forget who booked and who held items before the cutoff; the bookings and movements stay.

    Only finished bookings, and only movements whose booking is finished (an item still out
    keeps its holder). Movements allow exactly this change (their append-only trigger).
    """
    if days is None:
        days, _ = await retention()
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    async with DB.transaction():
        anonymised = await anonymise_finished(before=cutoff)
        movements = await db.fetch(
            "UPDATE movement m SET holder_id = NULL, staff_id = NULL, note = '' "
            "WHERE m.at < $1 AND (m.holder_id IS NOT NULL OR m.staff_id IS NOT NULL OR m.note <> '') "
            "AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.id = m.booking_id "
            "                AND b.status IN ('confirmed', 'checked_out')) RETURNING m.id",
            cutoff,
        )
        # Waitlist entries are wishes, worth nothing once resolved: gone rather than anonymised.
        await db.fetch("DELETE FROM waitlist_entry WHERE status <> 'waiting' AND coalesce(resolved_at, created_at) < $1",
                       cutoff)
        await db.fetch(
            "UPDATE booking_series bs SET user_id = NULL, created_by_id = NULL, purpose = '' "
            "WHERE (bs.user_id IS NOT NULL OR bs.created_by_id IS NOT NULL OR bs.purpose <> '') "
            "AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.series_id = bs.id AND b.ends_at >= $1)", cutoff)
    return {"bookings": anonymised, "movements": len(movements), "cutoff": cutoff}


async def personal_data(user_id: int) -> dict:
    """Everything stored about the user, except secrets (password, token hashes)."""
    account = await db.fetchone(
        "SELECT u.id, u.login, u.name, u.email, u.role, s.slug AS site, u.cohort, u.active, "
        "(u.password_hash IS NOT NULL) AS activated, u.created_at, u.updated_at "
        "FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE u.id = $1",
        user_id,
    )
    certifications = await db.fetch(
        "SELECT t.name AS training, c.granted_at, c.expires_at FROM certification c "
        "JOIN training t ON t.id = c.training_id WHERE c.user_id = $1 ORDER BY t.name",
        user_id,
    )
    bookings = await db.fetch(
        "SELECT b.id, r.tag AS resource, r.name AS resource_name, b.kind, s.slug AS site, b.starts_at, b.ends_at, "
        "b.status, b.purpose, b.created_at, b.checked_out_at, b.returned_at, b.cancelled_at, b.no_show_at "
        "FROM booking b JOIN resource r ON r.id = b.resource_id JOIN site s ON s.id = b.site_id "
        "WHERE b.user_id = $1 ORDER BY b.starts_at",
        user_id,
    )
    movements = await db.fetch(
        "SELECT m.id, m.kind, r.tag AS resource, m.booking_id, m.at, m.condition, m.note, "
        "CASE WHEN m.holder_id = $1 THEN 'holder' ELSE 'staff' END AS involvement "
        "FROM movement m JOIN resource r ON r.id = m.resource_id "
        "WHERE m.holder_id = $1 OR m.staff_id = $1 ORDER BY m.at, m.id",
        user_id,
    )
    waitlist = await db.fetch(
        "SELECT w.id, s.slug AS site, w.kind, w.day, w.starts_at, w.ends_at, w.status, w.booking_id, w.created_at "
        "FROM waitlist_entry w JOIN site s ON s.id = w.site_id WHERE w.user_id = $1 ORDER BY w.created_at",
        user_id,
    )
    sessions = await db.fetch(
        "SELECT created_at, expires_at, revoked_at FROM user_session WHERE user_id = $1 ORDER BY created_at",
        user_id,
    )
    feeds = await db.fetch(
        "SELECT scope, created_at, revoked_at FROM feed_token WHERE user_id = $1 ORDER BY created_at", user_id)
    return {
        "exported_at": datetime.now(timezone.utc),
        "account": account,
        "certifications": certifications,
        "bookings": bookings,
        "movements": movements,
        "waitlist": waitlist,
        "sessions": sessions,
        "calendar_feeds": feeds,
        # The phones that get notifications (issue 20): their push-service address, not the keys.
        "push_subscriptions": await db.fetch(
            "SELECT endpoint, lang, created_at, updated_at FROM push_subscription WHERE user_id = $1 ORDER BY id",
            user_id),
    }
