"""Reads of the sites domain: sites, their closures and calendars, booking policies."""

from __future__ import annotations

import functools
import json
from datetime import date

from fablab import codes, db
from fablab.bookings.rules import Policy, SiteCalendar
from fablab.errors import InvalidInput, NotFound
from fablab.sites.defaults import DEFAULT_POLICIES
from fablab.vocabulary import KINDS

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
        raise NotFound(f"No site {slug!r}.", code=codes.UNKNOWN_SITE)
    return site


async def site_by_id(site_id: int) -> dict:
    return _site(await db.fetchone(f"SELECT {SITE_COLUMNS} FROM site s WHERE s.id = $1", site_id))


def require_kind(kind: str | None) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}.", code=codes.UNKNOWN_KIND)
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


@functools.lru_cache(maxsize=256)
def _cached_calendar(timezone_name: str, opening_hours_text: str, closed: tuple[tuple[date, date], ...],
                     years: tuple[int, ...]) -> SiteCalendar:
    return SiteCalendar.build(timezone_name=timezone_name, opening_hours=json.loads(opening_hours_text or "{}"),
                              closures=list(closed), years=list(years))


def site_calendar(timezone_name: str, opening_hours: str | dict, closed: list[tuple[date, date]],
                  first: date, last: date) -> SiteCalendar:
    """A SiteCalendar, built once per process for the same inputs: parsing the hours and listing
    the holidays cost more than the queries of a hot endpoint. The inputs are the key, so an edited
    site or closure is a new entry (and a calendar is immutable, safe to share)."""
    text = opening_hours if isinstance(opening_hours, str) else json.dumps(opening_hours, sort_keys=True)
    return _cached_calendar(timezone_name, text, tuple(closed), tuple(range(first.year, last.year + 1)))


async def calendar_for(site: dict, first: date, last: date) -> SiteCalendar:
    """The site's calendar for the dates [first, last] (closures loaded for those dates only)."""
    rows = await closures(site["id"], first, last)
    return site_calendar(site["timezone"], site["opening_hours"], [(row["starts_on"], row["ends_on"]) for row in rows],
                         first, last)


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
