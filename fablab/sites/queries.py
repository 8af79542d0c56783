"""Reads of the sites domain: sites, their closures and calendars, booking policies."""

from __future__ import annotations

import functools
import json
import unicodedata
from dataclasses import fields
from datetime import date
from zoneinfo import ZoneInfo

from fablab.domain import clock, codes
from fablab.platform import db
from fablab.sites.calendar import Policy, SiteCalendar
from fablab.domain.errors import InvalidInput, NotFound
from fablab.sites.defaults import DEFAULT_POLICIES
from fablab.tables import Site
from fablab.domain.vocabulary import KINDS
from fablab.tables import Policy as PolicyRow

SITE_FIELDS = (Site.id, Site.slug, Site.name, Site.address, Site.contact, Site.timezone, Site.opening_hours)

# Raw: the one lookup of a site by its slug runs on every booking of "any unit of a kind" and every
# walk-up at the desk, where a Piccolo select costs about twice the raw read (measured: 0.63 vs 0.32 ms).
SITE_BY_SLUG = """
SELECT id, slug, name, address, contact, timezone, opening_hours::text AS opening_hours FROM site WHERE slug = $1
"""


def _site(row: dict | None) -> dict | None:
    if row is not None:
        row["opening_hours"] = json.loads(row["opening_hours"] or "{}")
    return row


async def list_sites() -> list[dict]:
    return [_site(row) for row in await Site.select(*SITE_FIELDS).order_by(Site.slug)]


async def find_site(slug: str | None) -> dict | None:
    """The one lookup of a site by its slug, in any case and with spaces around; None when none.
    Every domain names a site by slug through here (or require_site)."""
    if not slug or not slug.strip():
        return None
    return _site(await db.fetchone(SITE_BY_SLUG, slug.strip().lower()))


def _plain(text: str) -> str:
    """A site's name as people type it: no accents, case, or difference between spaces and hyphens."""
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(bare.replace("-", " ").replace("'", " ").split())


async def find_site_named(text: str | None) -> dict | None:
    """A site by its slug or by its name as the app shows it ("Villeneuve-la-Garenne", also
    "villeneuve la garenne" or "Villeneuve" when no other name starts so): a learner import is
    written by people who never saw the slug."""
    found = await find_site(text)
    if found is not None or not text or not text.strip():
        return found
    wanted = _plain(text)
    sites = await list_sites()
    exact = [site for site in sites if _plain(site["name"]) == wanted]
    # "Villeneuve" for Villeneuve-la-Garenne: a start of one name only, never a guess between two.
    starting = [site for site in sites if len(wanted) >= 4 and _plain(site["name"]).startswith(wanted)]
    found = exact or starting
    return found[0] if len(found) == 1 else None


async def require_site(slug: str | None) -> dict:
    site = await find_site(slug)
    if site is None:
        raise NotFound(f"No site {slug!r}.", code=codes.UNKNOWN_SITE)
    return site


async def site_by_id(site_id: int) -> dict | None:
    return _site(await Site.select(*SITE_FIELDS).where(Site.id == site_id).first())


# The sites' usual time zone, for a date that belongs to no site in particular (an export of all).
DEFAULT_TIMEZONE = "Europe/Paris"


async def site_today(*slugs: str | None) -> date:
    """Today at the first of these sites that exists (else in Paris), for the names of downloaded
    files: the server's own date may be a day off the site's (a server on UTC or in New York)."""
    for slug in slugs:
        site = await find_site(slug)
        if site is not None:
            return clock.now().astimezone(ZoneInfo(site["timezone"])).date()
    return clock.now().astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date()


def require_kind(kind: str | None) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}.", code=codes.UNKNOWN_KIND)
    return kind


# Raw: read by every booking of a kind and every walk-up (their calendar), a hot path like the above.
CLOSURES_BETWEEN = """
SELECT c.id, s.slug AS site, c.starts_on, c.ends_on, c.reason FROM closure c LEFT JOIN site s ON s.id = c.site_id
WHERE (c.site_id = $1 OR c.site_id IS NULL) AND c.starts_on <= $3 AND c.ends_on >= $2
ORDER BY c.starts_on, c.id
"""


async def closures(site_id: int, first: date, last: date) -> list[dict]:
    """Stored closures of this site or of every site (site_id NULL) that touch [first, last]."""
    return await db.fetch(CLOSURES_BETWEEN, site_id, first, last)


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
                  "checkout_grace_minutes, max_active_bookings, max_hours_per_week, training_id, min_age")

# Raw: every booking and every walk-up reads the rule that applies (hot path); the unit's override
# sorts first.
POLICY_FOR = f"""
SELECT {POLICY_COLUMNS} FROM policy
WHERE resource_id = $3 OR (site_id = $1 AND kind = $2 AND resource_id IS NULL)
ORDER BY resource_id NULLS LAST LIMIT 1
"""


def default_policy(kind: str) -> Policy:
    return Policy(**DEFAULT_POLICIES[kind])


async def policy_for(site_id: int, kind: str, resource_id: int | None = None) -> Policy:
    """The unit's override when there is one, else the site's policy for the kind, else the default."""
    row = await db.fetchone(POLICY_FOR, site_id, kind, resource_id)
    return Policy.from_row(row) if row else default_policy(kind)


POLICY_FIELDS = (
    PolicyRow.unit, PolicyRow.slot_minutes, PolicyRow.min_length, PolicyRow.max_length, PolicyRow.max_days_ahead,
    PolicyRow.buffer_minutes, PolicyRow.may_end_after_closing, PolicyRow.checkout_grace_minutes,
    PolicyRow.max_active_bookings, PolicyRow.max_hours_per_week, PolicyRow.training.as_alias("training_id"), PolicyRow.min_age,
)


async def list_policies(site_slug: str | None) -> list[dict]:
    """Every stored rule (of one site), the site's rules of a kind before its units' overrides."""
    query = PolicyRow.select(
        PolicyRow.site.slug.as_alias("site"), PolicyRow.kind, PolicyRow.resource.tag.as_alias("resource"),
        PolicyRow.training.name.as_alias("training"), *POLICY_FIELDS, PolicyRow.updated_at)
    if site_slug is not None:
        query = query.where(PolicyRow.site.slug == site_slug.strip().lower())
    rows = await query
    return sorted(rows, key=lambda row: (row["site"], row["kind"], row["resource"] is not None, row["resource"] or ""))


POLICY_VALUES = tuple(field.name for field in fields(Policy))


def _upsert_policy_sql(key: tuple[str, ...], conflict_target: str) -> str:
    columns = (*key, *POLICY_VALUES)
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in POLICY_VALUES)
    return (f"INSERT INTO policy ({', '.join(columns)}) VALUES ({', '.join(f'${i}' for i in range(1, len(columns) + 1))}) "
            f"ON CONFLICT {conflict_target} DO UPDATE SET {updates}, updated_at = now()")


# Raw: ON CONFLICT on the partial unique indexes (one rule per site and kind, one override per
# unit), which Piccolo's on_conflict cannot name.
UPSERT_SITE_POLICY = _upsert_policy_sql(("site_id", "kind"), "(site_id, kind) WHERE resource_id IS NULL")
UPSERT_UNIT_POLICY = _upsert_policy_sql(("site_id", "kind", "resource_id"), "(resource_id) WHERE resource_id IS NOT NULL")


# Raw: upper(tag) is the expression index the lookup must hit.
RESOURCE_BY_TAG = "SELECT r.id, r.tag, r.name, r.kind, r.status, r.site_id FROM resource r WHERE upper(r.tag) = upper($1)"


async def resource_by_tag(tag: str) -> dict | None:
    return await db.fetchone(RESOURCE_BY_TAG, tag)
