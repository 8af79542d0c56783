"""Reads behind the calendar feeds: one cheap "state" query per request, rows only on a change."""

from __future__ import annotations

from fablab import db
from fablab.calendars.content import Window

# A booking is in a feed when it overlaps the window; cancelled and no-show ones only while their
# change is recent (30 days: the window's start). $2/$3 are the window's bounds.
IN_WINDOW = """
    b.ends_at > $2 AND b.starts_at < $3
    AND (b.status IN ('confirmed', 'checked_out', 'returned')
         OR coalesce(b.cancelled_at, b.no_show_at, b.updated_at) >= $2)
"""

# What the cached bytes depend on. Every booking UPDATE bumps sequence (and updated_at), so the sum
# of sequences moves even when a transaction that started earlier commits last (max(updated_at)
# alone would miss it); count and the sum of ids see rows entering or leaving the window;
# feed_epoch counts changes of closures and of resource, site and user names.
VERSION = """
    SELECT count(*) AS n, max(b.updated_at) AS newest,
           coalesce(sum(b.sequence), 0) AS seqs, coalesce(sum(b.id), 0) AS ids
    FROM booking b
    WHERE {subject} AND {IN_WINDOW}
"""
EPOCH = "(SELECT coalesce(sum(version), 0) FROM feed_epoch) AS epoch"


def _version(subject: str) -> str:
    return VERSION.format(subject=subject, IN_WINDOW=IN_WINDOW)


SITE_STATE = f"""
SELECT s.id, s.slug, s.name, s.address, s.timezone, v.*, {EPOCH}
FROM site s
CROSS JOIN LATERAL ({_version("b.site_id = s.id AND ($4::text IS NULL OR b.kind = $4)")}) v
WHERE s.slug = $1
"""

RESOURCE_STATE = f"""
SELECT r.id, r.tag, r.name, r.site_id, s.name AS site_name, v.*, {EPOCH}
FROM resource r
JOIN site s ON s.id = r.site_id
CROSS JOIN LATERAL ({_version("b.resource_id = r.id")}) v
WHERE upper(r.tag) = upper($1)
"""

# The token is looked up by its hash through the unique index: no string comparison in Python,
# and a wrong, revoked or foreign token costs the same one query as a good one.
OWNER_STATE = f"""
SELECT u.id AS user_id, u.site_id, s.name AS site_name, v.*, {EPOCH}
FROM feed_token t
JOIN app_user u ON u.id = t.user_id
LEFT JOIN site s ON s.id = u.site_id
CROSS JOIN LATERAL ({_version("b.user_id = u.id")}) v
WHERE t.token_hash = $1 AND t.scope = 'me' AND t.revoked_at IS NULL AND u.active
"""

# Staff feeds die with the role: a demoted or moved staff member's token no longer opens them.
STAFF_STATE = f"""
SELECT s.id, s.slug, s.name, s.address, s.timezone, v.*, {EPOCH}
FROM feed_token t
JOIN app_user u ON u.id = t.user_id
JOIN site s ON s.id = t.site_id
CROSS JOIN LATERAL ({_version("b.site_id = s.id")}) v
WHERE t.token_hash = $1 AND t.scope = 'staff' AND t.revoked_at IS NULL AND u.active
  AND (u.role = 'admin' OR (u.role = 'staff' AND u.site_id = t.site_id))
"""

# Public feeds select no user column and no purpose at all: nothing personal can leak into them.
PUBLIC_COLUMNS = """
    b.id, b.kind, b.starts_at, b.ends_at, b.status, b.sequence, b.updated_at,
    r.name AS resource_name, r.tag, s.name AS site_name, s.address AS site_address, s.timezone
"""
DETAIL_COLUMNS = PUBLIC_COLUMNS + """,
    b.created_at, b.purpose, b.checked_out_at, b.returned_at, b.cancelled_at, b.no_show_at
"""
STAFF_COLUMNS = DETAIL_COLUMNS + ", u.name AS holder_name, u.login AS holder_login"


def _rows(columns: str, subject: str, join_user: bool = False) -> str:
    user_join = "LEFT JOIN app_user u ON u.id = b.user_id" if join_user else ""
    return f"""
    SELECT {columns}
    FROM booking b
    JOIN resource r ON r.id = b.resource_id
    JOIN site s ON s.id = b.site_id
    {user_join}
    WHERE {subject} AND {IN_WINDOW}
    ORDER BY b.starts_at, b.id
    """


SITE_ROWS = _rows(PUBLIC_COLUMNS, "b.site_id = $1 AND ($4::text IS NULL OR b.kind = $4)")
RESOURCE_ROWS = _rows(PUBLIC_COLUMNS, "b.resource_id = $1")
OWNER_ROWS = _rows(DETAIL_COLUMNS, "b.user_id = $1")
STAFF_ROWS = _rows(STAFF_COLUMNS, "b.site_id = $1", join_user=True)

CLOSURES = """
SELECT c.id, c.site_id, c.starts_on, c.ends_on, c.reason, c.updated_at, s.name AS site_name
FROM closure c
LEFT JOIN site s ON s.id = c.site_id
WHERE (c.site_id = $1 OR c.site_id IS NULL) AND c.ends_on >= $2 AND c.starts_on < $3
ORDER BY c.starts_on, c.id
"""

# Last-Modified is the first time any worker served the current bytes; when the bytes change it
# moves at least one second forward (HTTP dates have whole seconds), so it never goes back.
RECORD_STATE = """
INSERT INTO feed_state (feed_key, etag, last_modified) VALUES ($1, $2, date_trunc('second', now()))
ON CONFLICT (feed_key) DO UPDATE SET
    last_modified = CASE WHEN feed_state.etag = EXCLUDED.etag THEN feed_state.last_modified
                         ELSE greatest(EXCLUDED.last_modified, feed_state.last_modified + interval '1 second')
                    END,
    etag = EXCLUDED.etag
RETURNING last_modified
"""


def _bounds(window: Window) -> tuple:
    return window.starts_at, window.ends_at


async def site_state(slug: str, kind: str | None, window: Window) -> dict | None:
    return await db.fetchone(SITE_STATE, slug, *_bounds(window), kind)


async def resource_state(tag: str, window: Window) -> dict | None:
    return await db.fetchone(RESOURCE_STATE, tag, *_bounds(window))


async def owner_state(token_hash: str, window: Window) -> dict | None:
    return await db.fetchone(OWNER_STATE, token_hash, *_bounds(window))


async def staff_state(token_hash: str, window: Window) -> dict | None:
    return await db.fetchone(STAFF_STATE, token_hash, *_bounds(window))


async def site_rows(site_id: int, kind: str | None, window: Window) -> list[dict]:
    return await db.fetch(SITE_ROWS, site_id, *_bounds(window), kind)


async def resource_rows(resource_id: int, window: Window) -> list[dict]:
    return await db.fetch(RESOURCE_ROWS, resource_id, *_bounds(window))


async def owner_rows(user_id: int, window: Window) -> list[dict]:
    return await db.fetch(OWNER_ROWS, user_id, *_bounds(window))


async def staff_rows(site_id: int, window: Window) -> list[dict]:
    return await db.fetch(STAFF_ROWS, site_id, *_bounds(window))


async def closures(site_id: int | None, window: Window) -> list[dict]:
    if site_id is None:
        return []
    return await db.fetch(CLOSURES, site_id, window.first_day, window.end_day)


async def record_state(feed_key: str, etag: str):
    return await db.fetchval(RECORD_STATE, feed_key, etag)


async def live_tokens(user_id: int) -> list[dict]:
    return await db.fetch(
        "SELECT t.scope, t.created_at, s.slug AS site FROM feed_token t LEFT JOIN site s ON s.id = t.site_id "
        "WHERE t.user_id = $1 AND t.revoked_at IS NULL ORDER BY t.scope",
        user_id,
    )


async def sites_for_links(site_id: int | None) -> list[dict]:
    """The user's site, or every site for an admin who has none."""
    if site_id is None:
        return await db.fetch("SELECT id, slug, name FROM site ORDER BY slug")
    return await db.fetch("SELECT id, slug, name FROM site WHERE id = $1", site_id)


async def site_by_slug(slug: str) -> dict | None:
    return await db.fetchone("SELECT id, slug, name FROM site WHERE slug = $1", slug)
