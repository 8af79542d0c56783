"""Reads of the bookings domain: sites, calendars, policies, availability, booking lists."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from fablab import db
from fablab.bookings.defaults import DEFAULT_POLICIES
from fablab.bookings.rules import KINDS, Policy, SiteCalendar, local_moment
from fablab.errors import InvalidInput, NotFound

SITE_COLUMNS = "s.id, s.slug, s.name, s.address, s.contact, s.timezone, s.opening_hours::text AS opening_hours"


def _site(row: dict | None) -> dict | None:
    if row is not None:
        row["opening_hours"] = json.loads(row["opening_hours"] or "{}")
    return row


async def list_sites() -> list[dict]:
    return [_site(row) for row in await db.fetch(f"SELECT {SITE_COLUMNS} FROM site s ORDER BY s.slug")]


async def require_site(slug: str) -> dict:
    site = _site(await db.fetchone(f"SELECT {SITE_COLUMNS} FROM site s WHERE s.slug = lower($1)", slug))
    if site is None:
        raise NotFound(f"No site {slug!r}.", code="unknown_site")
    return site


def require_kind(kind: str | None) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}.", code="unknown_kind")
    return kind


async def closures(site_id: int, first: date, last: date) -> list[dict]:
    """Stored closures of this site or of every site (site_id NULL) that touch [first, last]."""
    return await db.fetch(
        "SELECT c.id, s.slug AS site, c.starts_on, c.ends_on, c.reason FROM closure c "
        "LEFT JOIN site s ON s.id = c.site_id "
        "WHERE (c.site_id = $1 OR c.site_id IS NULL) AND c.starts_on <= $3 AND c.ends_on >= $2 "
        "ORDER BY c.starts_on, c.id",
        site_id, first, last,
    )


async def calendar_for(site: dict, first: date, last: date) -> SiteCalendar:
    """The site's calendar for the dates [first, last] (closures loaded for those dates only)."""
    rows = await closures(site["id"], first, last)
    return SiteCalendar.build(
        timezone_name=site["timezone"], opening_hours=site["opening_hours"],
        closures=[(row["starts_on"], row["ends_on"]) for row in rows],
        years=list(range(first.year, last.year + 1)),
    )


POLICY_COLUMNS = ("unit, slot_minutes, min_length, max_length, max_days_ahead, buffer_minutes, may_end_after_closing, "
                  "checkout_grace_minutes, max_active_bookings, max_hours_per_week, training_id")


def default_policy(kind: str) -> Policy:
    return Policy(**DEFAULT_POLICIES[kind])


async def policy_for(site_id: int, kind: str, resource_id: int | None = None) -> Policy:
    """The unit's override when there is one, else the site's policy for the kind, else the default."""
    row = await db.fetchone(
        f"SELECT {POLICY_COLUMNS} FROM policy "
        "WHERE resource_id = $3 OR (site_id = $1 AND kind = $2 AND resource_id IS NULL) "
        "ORDER BY resource_id NULLS LAST LIMIT 1",
        site_id, kind, resource_id,
    )
    return Policy.from_row(row) if row else default_policy(kind)


async def list_policies(site_slug: str | None) -> list[dict]:
    return await db.fetch(
        f"SELECT s.slug AS site, p.kind, r.tag AS resource, t.name AS training, {POLICY_COLUMNS.replace('training_id', 'p.training_id')}, "
        "p.updated_at FROM policy p JOIN site s ON s.id = p.site_id LEFT JOIN resource r ON r.id = p.resource_id "
        "LEFT JOIN training t ON t.id = p.training_id "
        "WHERE $1::text IS NULL OR s.slug = lower($1) ORDER BY s.slug, p.kind, r.tag NULLS FIRST",
        site_slug,
    )


async def resource_by_tag(tag: str) -> dict | None:
    return await db.fetchone(
        "SELECT r.id, r.tag, r.name, r.kind, r.status, r.site_id FROM resource r WHERE upper(r.tag) = upper($1)", tag)


# One unit with its site, the policy that applies to it (override, else site and kind) and the
# site's closures over [$2, $3], in one round trip. FOR SHARE: a status change (maintenance)
# waits for the bookings being written.
RESOURCE_CONTEXT = f"""
SELECT r.id, r.tag, r.kind, r.status, r.site_id, s.slug, s.timezone, s.opening_hours::text AS opening_hours,
       p.unit, p.slot_minutes, p.min_length, p.max_length, p.max_days_ahead, p.buffer_minutes,
       p.may_end_after_closing, p.checkout_grace_minutes, p.max_active_bookings, p.max_hours_per_week,
       p.training_id,
       (SELECT coalesce(json_agg(json_build_array(c.starts_on, c.ends_on)), '[]')::text FROM closure c
         WHERE (c.site_id = r.site_id OR c.site_id IS NULL) AND c.starts_on <= $3 AND c.ends_on >= $2) AS closures
FROM resource r JOIN site s ON s.id = r.site_id
LEFT JOIN LATERAL (
    SELECT {POLICY_COLUMNS} FROM policy
    WHERE resource_id = r.id OR (site_id = r.site_id AND kind = r.kind AND resource_id IS NULL)
    ORDER BY resource_id NULLS LAST LIMIT 1) p ON true
WHERE {{match}}
FOR SHARE OF r
"""
CONTEXT_BY_ID = RESOURCE_CONTEXT.format(match="r.id = $1")
CONTEXT_BY_TAG = RESOURCE_CONTEXT.format(match="upper(r.tag) = upper($1)")


async def resource_context(ref: int | str, first: date, last: date) -> tuple[dict, dict, Policy, SiteCalendar] | None:
    """(resource, site, policy, calendar over [first, last]) of one unit by id or tag, the resource
    row share-locked; None when unknown."""
    row = await db.fetchone(CONTEXT_BY_ID if isinstance(ref, int) else CONTEXT_BY_TAG, ref, first, last)
    if row is None:
        return None
    site = {"id": row["site_id"], "slug": row["slug"], "timezone": row["timezone"],
            "opening_hours": json.loads(row["opening_hours"] or "{}")}
    policy = Policy.from_row(row) if row["unit"] is not None else default_policy(row["kind"])
    closed = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in json.loads(row["closures"])]
    calendar = SiteCalendar.build(timezone_name=site["timezone"], opening_hours=site["opening_hours"],
                                  closures=closed, years=list(range(first.year, last.year + 1)))
    return row, site, policy, calendar


# -------------------------------------------------------------------------------------------
# No-shows

# A confirmed booking not checked out within its grace time is released. The partial index
# booking_confirmed_starts keeps this cheap however long the history is. SKIP LOCKED: a row another
# transaction holds (a desk checking it out, a cancellation, another sweep) is left to that
# transaction, so a sweep never waits and two sweeps never deadlock over rows locked in a
# different order.
NO_SHOW_SWEEP = """
UPDATE booking b SET status = 'no_show', no_show_at = $1, sequence = b.sequence + 1, updated_at = now()
FROM (
  SELECT o.id FROM booking o
  WHERE o.status = 'confirmed' AND o.starts_at < $1
    AND ($2::int IS NULL OR o.site_id = $2)
    AND ($3::text IS NULL OR o.kind = $3)
    AND ($4::int IS NULL OR o.resource_id = $4)
    AND ($5::int IS NULL OR o.user_id = $5)
    AND o.starts_at + make_interval(mins => coalesce(
          (SELECT p.checkout_grace_minutes FROM policy p WHERE p.resource_id = o.resource_id),
          (SELECT p.checkout_grace_minutes FROM policy p
            WHERE p.site_id = o.site_id AND p.kind = o.kind AND p.resource_id IS NULL),
          30)) <= $1
  FOR NO KEY UPDATE OF o SKIP LOCKED
) due
WHERE b.id = due.id
RETURNING b.id
"""


# The sweep and the booker's row lock in one statement (one round trip on the booking path).
LOCK_USER_AND_SWEEP = f"""
WITH swept AS ({NO_SHOW_SWEEP})
SELECT id, role, active FROM app_user WHERE id = $6 FOR NO KEY UPDATE
"""


async def sweep_no_shows(now: datetime, *, site_id: int | None = None, kind: str | None = None,
                         resource_id: int | None = None, user_id: int | None = None) -> int:
    rows = await db.fetch(NO_SHOW_SWEEP, now, site_id, kind, resource_id, user_id)
    return len(rows)


# -------------------------------------------------------------------------------------------
# Availability

RESOURCES_OF_KIND = """
SELECT r.id, r.tag, r.name, r.status FROM resource r
WHERE r.site_id = $1 AND r.kind = $2 AND r.status <> 'retired' ORDER BY r.tag
"""

# Repeats the exclusion constraint's predicate and range expression, so its GiST index serves it.
BUSY_RANGES = """
SELECT b.resource_id, b.starts_at, b.blocked_until FROM booking b
WHERE b.resource_id = ANY($1::int[]) AND b.status IN ('confirmed', 'checked_out')
  AND tstzrange(b.starts_at, b.blocked_until, '[)') && tstzrange($2, $3, '[)')
"""


async def busy_ranges(resource_ids: list[int], start: datetime, end: datetime) -> dict[int, list[tuple[datetime, datetime]]]:
    busy: dict[int, list] = {rid: [] for rid in resource_ids}
    for row in await db.fetch(BUSY_RANGES, resource_ids, start, end):
        busy[row["resource_id"]].append((row["starts_at"], row["blocked_until"]))
    return busy


def day_bounds(day: date, calendar: SiteCalendar) -> tuple[datetime, datetime]:
    return local_moment(day, time(0), calendar.tz), local_moment(day + timedelta(days=1), time(0), calendar.tz)


# -------------------------------------------------------------------------------------------
# Bookings as the API shows them

BOOKING_SELECT = """
SELECT b.id, r.tag AS resource, r.name AS resource_name, s.slug AS site, b.kind,
       b.user_id, u.login AS user_login, u.name AS user_name, b.created_by_id,
       b.starts_at, b.ends_at, b.status, b.purpose, b.sequence, b.created_at, b.updated_at,
       b.checked_out_at, b.returned_at, b.cancelled_at, b.no_show_at
FROM booking b JOIN resource r ON r.id = b.resource_id JOIN site s ON s.id = b.site_id
LEFT JOIN app_user u ON u.id = b.user_id
"""


def booking_out(row: dict) -> dict:
    out = {key: row[key] for key in (
        "id", "resource", "resource_name", "site", "kind", "starts_at", "ends_at", "status", "purpose", "sequence",
        "created_at", "updated_at", "checked_out_at", "returned_at", "cancelled_at", "no_show_at")}
    out["user"] = (None if row["user_id"] is None
                   else {"id": row["user_id"], "login": row["user_login"], "name": row["user_name"]})
    return out


async def booking(booking_id: int) -> dict | None:
    return await db.fetchone(f"{BOOKING_SELECT} WHERE b.id = $1", booking_id)


async def bookings_of_user(user_id: int, start: datetime, end: datetime, limit: int) -> list[dict]:
    return await db.fetch(
        f"{BOOKING_SELECT} WHERE b.user_id = $1 AND b.ends_at > $2 AND b.starts_at < $3 "
        "ORDER BY b.starts_at, b.id LIMIT $4",
        user_id, start, end, limit,
    )


async def bookings_of_site(site_id: int, start: datetime, end: datetime, limit: int) -> list[dict]:
    return await db.fetch(
        f"{BOOKING_SELECT} WHERE b.site_id = $1 AND b.ends_at > $2 AND b.starts_at < $3 "
        "ORDER BY b.starts_at, r.tag LIMIT $4",
        site_id, start, end, limit,
    )


async def user_id_for_ref(ref: int | str) -> int:
    """A user's id from their id or login (case-insensitive); 404 unknown_user otherwise."""
    if isinstance(ref, int):
        user_id = await db.fetchval("SELECT id FROM app_user WHERE id = $1 AND active", ref)
    else:
        user_id = await db.fetchval("SELECT id FROM app_user WHERE lower(login) = lower($1) AND active", ref.strip())
    if user_id is None:
        raise NotFound(f"No active user {ref!r}.", code="unknown_user")
    return user_id
