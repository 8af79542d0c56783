"""Personal data (GDPR): a user's own data as JSON, and anonymisation after the retention period."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from fablab import clock, db
from fablab.bookings.service import anonymise_finished
from fablab.db import DB, NOW
from fablab.tables import AppSetting, Booking, Certification, FeedToken, Movement, User, UserSession, WaitlistEntry

RETENTION_KEY = "retention_days"
# Two years: long enough to answer "who had this laptop last spring?", then the person goes.
DEFAULT_RETENTION_DAYS = 730


async def retention() -> tuple[int, bool]:
    """(days, is_default)."""
    row = await AppSetting.select(AppSetting.value).where(AppSetting.key == RETENTION_KEY).first()
    value = None if row is None else row["value"]
    if value is None:
        return DEFAULT_RETENTION_DAYS, True
    # asyncpg hands jsonb over as text unless a codec is set; accept both.
    return int(json.loads(value) if isinstance(value, str) else value), False


async def set_retention(days: int) -> None:
    await AppSetting.insert(AppSetting(key=RETENTION_KEY, value=json.dumps(days), updated_at=NOW)).on_conflict(
        target=AppSetting.key, action="DO UPDATE", values=[AppSetting.value, AppSetting.updated_at])


async def anonymise_expired(*, days: int | None = None, now: datetime | None = None) -> dict:
    """Forget who booked and who held items before the cutoff; the bookings and movements stay.

    Only finished bookings, and only movements whose booking is finished (an item still out
    keeps its holder). Movements allow exactly this change (their append-only trigger).
    """
    if days is None:
        days, _ = await retention()
    cutoff = (now or clock.now()) - timedelta(days=days)
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
    account = await User.select(
        User.id, User.login, User.name, User.email, User.role, User.site.slug.as_alias("site"), User.cohort,
        User.active, User.password_hash, User.created_at, User.updated_at,
    ).where(User.id == user_id).first()
    if account is not None:
        account["activated"] = account.pop("password_hash") is not None
    certifications = await Certification.select(
        Certification.training.name.as_alias("training"), Certification.granted_at, Certification.expires_at,
    ).where(Certification.user == user_id).order_by(Certification.training.name)
    bookings = await Booking.select(
        Booking.id, Booking.resource.tag.as_alias("resource"), Booking.resource.name.as_alias("resource_name"),
        Booking.kind, Booking.site.slug.as_alias("site"), Booking.starts_at, Booking.ends_at, Booking.status,
        Booking.purpose, Booking.created_at, Booking.checked_out_at, Booking.returned_at, Booking.cancelled_at,
        Booking.no_show_at,
    ).where(Booking.user == user_id).order_by(Booking.starts_at)
    movements = await Movement.select(
        Movement.id, Movement.kind, Movement.resource.tag.as_alias("resource"), Movement.booking.as_alias("booking_id"),
        Movement.at, Movement.condition, Movement.note, Movement.holder.as_alias("holder_id"),
    ).where((Movement.holder == user_id) | (Movement.staff == user_id)).order_by(Movement.at, Movement.id)
    for movement in movements:
        movement["involvement"] = "holder" if movement.pop("holder_id") == user_id else "staff"
    waitlist = await WaitlistEntry.select(
        WaitlistEntry.id, WaitlistEntry.site.slug.as_alias("site"), WaitlistEntry.kind, WaitlistEntry.day,
        WaitlistEntry.starts_at, WaitlistEntry.ends_at, WaitlistEntry.status,
        WaitlistEntry.booking.as_alias("booking_id"), WaitlistEntry.created_at,
    ).where(WaitlistEntry.user == user_id).order_by(WaitlistEntry.created_at)
    sessions = await UserSession.select(UserSession.created_at, UserSession.expires_at, UserSession.revoked_at).where(
        UserSession.user == user_id).order_by(UserSession.created_at)
    feeds = await FeedToken.select(FeedToken.scope, FeedToken.created_at, FeedToken.revoked_at).where(
        FeedToken.user == user_id).order_by(FeedToken.created_at)
    return {
        "exported_at": clock.now(),
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
