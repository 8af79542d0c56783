"""Reads behind the calendar feeds: one cheap "state" query per request, rows only on a change."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from fablab import db
from fablab.calendars.content import Window
from fablab.vocabulary import KINDS

# A booking is in a feed when it overlaps the window; cancelled and no-show ones only while their
# change is recent (30 days: the window's start). $2/$3 are the window's bounds (or literals: below).
IN_WINDOW = """
    b.ends_at > $2 AND b.starts_at < $3
    AND (b.status IN ('confirmed', 'checked_out', 'returned')
         OR coalesce(b.cancelled_at, b.no_show_at, b.updated_at) >= $2)
"""
# The bookings changed this recently ride along with every state query, so a feed that changes
# often is brought up to date without a second round trip (feeds.py asks separately otherwise).
RECENT = timedelta(seconds=10)

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
# read_at: the database's clock when the state was read; changes are looked for from then on.
EPOCH = "(SELECT coalesce(sum(version), 0) FROM feed_epoch) AS epoch, now() AS read_at"


def _version(subject: str) -> str:
    return VERSION.format(subject=subject, IN_WINDOW=IN_WINDOW)


# Public feeds select no user column and no purpose at all: nothing personal can leak into them.
PUBLIC_COLUMNS = (
    ("b.id", "id"), ("b.kind", "kind"), ("b.starts_at", "starts_at"), ("b.ends_at", "ends_at"),
    ("b.status", "status"), ("b.sequence", "sequence"), ("b.updated_at", "updated_at"),
    ("r.name", "resource_name"), ("r.tag", "tag"), ("s.name", "site_name"), ("s.address", "site_address"),
    ("s.timezone", "timezone"), ("b.series_id", "series_id"),
)
DETAIL_COLUMNS = PUBLIC_COLUMNS + (
    ("b.created_at", "created_at"), ("b.purpose", "purpose"), ("b.checked_out_at", "checked_out_at"),
    ("b.returned_at", "returned_at"), ("b.cancelled_at", "cancelled_at"), ("b.no_show_at", "no_show_at"),
)
STAFF_COLUMNS = DETAIL_COLUMNS + (("u.name", "holder_name"), ("u.login", "holder_login"))
# Changed rows ride along with the state, their columns prefixed so no name clashes with it.
CHANGED = "changed_"


def _select(columns: tuple, prefix: str = "") -> str:
    return ", ".join(f"{expression} AS {prefix}{name}" for expression, name in columns)


def _bookings(columns: tuple, subject: str, condition: str, *, join_user: bool, prefix: str = "") -> str:
    user_join = "LEFT JOIN app_user u ON u.id = b.user_id" if join_user else ""
    return f"""
    SELECT {_select(columns, prefix)}{{extra}}
    FROM booking b
    JOIN resource r ON r.id = b.resource_id
    JOIN site s ON s.id = b.site_id
    {user_join}
    WHERE {subject} AND {condition}
    """


def _rows(columns: tuple, subject: str, join_user: bool = False) -> str:
    return _bookings(columns, subject, IN_WINDOW, join_user=join_user).format(extra="") + "ORDER BY b.starts_at, b.id"


def _state(head: str, subject: str, columns: tuple, *, join_user: bool = False) -> str:
    """The feed's version and its bookings changed in the last RECENT (in the window or not:
    changed_in_window says), all read in one snapshot so they can be checked against each other.
    One row per change; a single row with null changed_ columns when none."""
    recent = f"b.updated_at >= now() - interval '{int(RECENT.total_seconds())} seconds'"
    changes = _bookings(columns, subject, recent, join_user=join_user, prefix=CHANGED)
    return head.format(version=f"""
    CROSS JOIN LATERAL ({_version(subject)}) v
    LEFT JOIN LATERAL ({changes.format(extra=f", ({IN_WINDOW}) AS {CHANGED}in_window")}) d ON true""",
                       columns=f"v.*, {EPOCH}, d.*")


def _changes(subject: str, columns: tuple, *, join_user: bool = False) -> str:
    """The feed's version and its bookings changed since $since (numbered $2 by _for_window), read in
    one snapshot; $1 is the subject."""
    changes = _bookings(columns, subject, "b.updated_at >= $since", join_user=join_user, prefix=CHANGED)
    return f"""
    SELECT v.*, {EPOCH}, d.*
    FROM ({_version(subject)}) v
    LEFT JOIN LATERAL ({changes.format(extra=f", ({IN_WINDOW}) AS {CHANGED}in_window")}) d ON true"""


# The booking_updated index (site_id, updated_at) finds a site's changes; a resource's or a user's
# bookings are few enough to filter. The state's own tables are aliased apart from the bookings'.
# /*kind*/ filters a site's feed by kind.
STATES = {
    "site": _state("""
SELECT fs.id, fs.slug, fs.name, fs.address, fs.timezone, {columns}
FROM site fs {version}
WHERE fs.slug = $1
""", "b.site_id = fs.id/*kind*/", PUBLIC_COLUMNS),
    "resource": _state("""
SELECT fr.id, fr.tag, fr.name, fr.site_id, fs.name AS site_name, {columns}
FROM resource fr
JOIN site fs ON fs.id = fr.site_id {version}
WHERE upper(fr.tag) = upper($1)
""", "b.resource_id = fr.id", PUBLIC_COLUMNS),
    # The token is looked up by its hash through the unique index: no string comparison in Python,
    # and a wrong, revoked or foreign token costs the same one query as a good one.
    "owner": _state("""
SELECT fu.id AS user_id, fu.site_id, fs.name AS site_name, {columns}
FROM feed_token t
JOIN app_user fu ON fu.id = t.user_id
LEFT JOIN site fs ON fs.id = fu.site_id {version}
WHERE t.token_hash = $1 AND t.scope = 'me' AND t.revoked_at IS NULL AND fu.active
""", "b.user_id = fu.id", DETAIL_COLUMNS),
    # Staff feeds die with the role: a demoted or moved staff member's token no longer opens them.
    "staff": _state("""
SELECT fs.id, fs.slug, fs.name, fs.address, fs.timezone, {columns}
FROM feed_token t
JOIN app_user fu ON fu.id = t.user_id
JOIN site fs ON fs.id = t.site_id {version}
WHERE t.token_hash = $1 AND t.scope = 'staff' AND t.revoked_at IS NULL AND fu.active
  AND (fu.role = 'admin' OR (fu.role = 'staff' AND EXISTS (
      SELECT 1 FROM staff_site ss WHERE ss.user_id = fu.id AND ss.site_id = t.site_id)))
""", "b.site_id = fs.id", STAFF_COLUMNS, join_user=True),
}
CHANGES = {
    "site": _changes("b.site_id = $1/*kind*/", PUBLIC_COLUMNS),
    "resource": _changes("b.resource_id = $1", PUBLIC_COLUMNS),
    "owner": _changes("b.user_id = $1", DETAIL_COLUMNS),
    "staff": _changes("b.site_id = $1", STAFF_COLUMNS, join_user=True),
}


def _timestamp(moment: datetime) -> str:
    return f"'{moment.isoformat()}'::timestamptz"


@functools.lru_cache(maxsize=64)
def _for_window(sql: str, window: Window, kind: str | None) -> str:
    """`sql` with the window's bounds and the kind written in as constants.

    They change once a day, and as constants they let PostgreSQL keep one generic plan for the
    prepared statement; as parameters it re-plans the state query on every poll, which costs more
    than running it. Only our own values go in: dates, and a kind checked against KINDS."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    return (sql.replace("/*kind*/", f" AND b.kind = '{kind}'" if kind else "")
            .replace("$2", "$_start").replace("$3", "$_end")  # the bounds, before $2 is renumbered
            .replace("$_start", _timestamp(window.starts_at)).replace("$_end", _timestamp(window.ends_at))
            .replace("$since", "$2"))


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
#
# It commits without waiting for the disk (synchronous_commit off for this statement's own
# transaction): a crash may lose the last records, and then the next render records a time after
# the restart, later than any served before, so Last-Modified still never goes back.
RECORD_STATE = """
INSERT INTO feed_state (feed_key, etag, last_modified)
SELECT $1, $2, date_trunc('second', now()) FROM (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed
ON CONFLICT (feed_key) DO UPDATE SET
    last_modified = CASE WHEN feed_state.etag = EXCLUDED.etag THEN feed_state.last_modified
                         ELSE greatest(EXCLUDED.last_modified, feed_state.last_modified + interval '1 second')
                    END,
    etag = EXCLUDED.etag
RETURNING last_modified
"""


def _bounds(window: Window) -> tuple:
    return window.starts_at, window.ends_at


def _split(rows: list[dict]) -> tuple[dict, list[dict]] | None:
    """(state, changed rows) from a state query's rows; None when the feed does not exist."""
    if not rows:
        return None
    state = {key: value for key, value in rows[0].items() if not key.startswith(CHANGED)}
    start = len(CHANGED)
    changes = [{key[start:]: value for key, value in row.items() if key.startswith(CHANGED)}
               for row in rows if row[f"{CHANGED}id"] is not None]
    return state, changes


def state_sql(feed: str, window: Window, kind: str | None = None) -> str:
    """The state query of a feed for a window, as sent (scripts/bench_feeds.py explains it)."""
    return _for_window(STATES[feed], window, kind)


async def state(feed: str, lookup: str, window: Window, kind: str | None = None) -> tuple[dict, list[dict]] | None:
    """The state of a feed named by `lookup` (slug, tag or token hash) with its recent changes."""
    return _split(await db.fetch(state_sql(feed, window, kind), lookup))


async def site_state(slug: str, kind: str | None, window: Window) -> tuple[dict, list[dict]] | None:
    return await state("site", slug, window, kind)


async def resource_state(tag: str, window: Window) -> tuple[dict, list[dict]] | None:
    return await state("resource", tag, window)


async def owner_state(token_hash: str, window: Window) -> tuple[dict, list[dict]] | None:
    return await state("owner", token_hash, window)


async def staff_state(token_hash: str, window: Window) -> tuple[dict, list[dict]] | None:
    return await state("staff", token_hash, window)


async def changes(feed: str, subject_id: int, window: Window, since: datetime,
                  kind: str | None = None) -> tuple[dict, list[dict]]:
    """The feed's version and its bookings changed since `since` (for a cached copy read longer ago
    than RECENT), in one snapshot."""
    return _split(await db.fetch(_for_window(CHANGES[feed], window, kind), subject_id, since))


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
        "SELECT t.id, t.user_id, t.token_hash, t.scope, t.created_at, s.slug AS site FROM feed_token t "
        "LEFT JOIN site s ON s.id = t.site_id "
        "WHERE t.user_id = $1 AND t.revoked_at IS NULL ORDER BY t.scope",
        user_id,
    )


async def sites_for_links(site_id: int | None) -> list[dict]:
    """The user's site, or every site for an admin who has none."""
    if site_id is None:
        return await db.fetch("SELECT id, slug, name FROM site ORDER BY slug")
    return await db.fetch("SELECT id, slug, name FROM site WHERE id = $1", site_id)

# --- A person's data (fablab/calendars/person.py declares what each statement is for) -----------
PERSON_FEEDS = "SELECT scope, created_at, revoked_at FROM feed_token WHERE user_id = $1 ORDER BY created_at, id"
# A revoked link's feed answers 404 at once: the feed reads its token's row on every request.
PERSON_REVOKE_FEEDS = "UPDATE feed_token SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id"
# A staff feed link of a site taken back is revoked, not merely refused: granting the site again
# later must not bring an old, perhaps shared, link back to life (issue 26).
PERSON_LEAVE_SITES = """
UPDATE feed_token SET revoked_at = now()
WHERE user_id = $1 AND scope = 'staff' AND revoked_at IS NULL AND NOT (site_id = ANY($2::int[]))
  AND (SELECT role FROM app_user WHERE id = $1) = 'staff'  -- an admin acts for every site whatever its grants
RETURNING id
"""
