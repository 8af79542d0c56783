"""Reads behind the calendar feeds: one cheap "state" query per request, rows only on a change.

The events are the domains' (fablab/hooks/feed_events.py): each statement is one UNION ALL of their rows."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fablab.hooks import feed_events
from fablab.platform import db
from fablab.calendars.content import Window
from fablab.domain.vocabulary import KINDS

SUBJECT = {"site": "fs.id", "resource": "fr.id", "owner": "fu.id", "staff": "fs.id"}
# The domains' rows changed this recently ride along with every state query, so a feed that changes
# often is brought up to date without a second round trip (feeds.py asks separately otherwise).
RECENT = timedelta(seconds=10)
# read_at: the database's clock when the state was read; changes are looked for from then on.
EPOCH = "(SELECT coalesce(sum(version), 0) FROM feed_epoch) AS epoch, now() AS read_at"
# Changed rows ride along with the state, their columns prefixed so no name clashes with it.
CHANGED = "changed_"

# Each feed's state: its subject found by the request's name for it (slug, tag, token hash), with
# {version} and {columns} from the contributions. The state's own tables are aliased apart from the
# contributions' (fs, fr, fu, t).
HEADS = {
    "site": """
SELECT fs.id, fs.slug, fs.name, fs.address, fs.timezone, {columns}
FROM site fs {version}
WHERE fs.slug = $1
""",
    "resource": """
SELECT fr.id, fr.tag, fr.name, fr.site_id, fs.name AS site_name, {columns}
FROM resource fr
JOIN site fs ON fs.id = fr.site_id {version}
WHERE upper(fr.tag) = upper($1)
""",
    # The token is looked up by its hash through the unique index: no string comparison in Python,
    # and a wrong, revoked or foreign token costs the same one query as a good one.
    "owner": """
SELECT fu.id AS user_id, fu.site_id, fs.name AS site_name, {columns}
FROM feed_token t
JOIN app_user fu ON fu.id = t.user_id
LEFT JOIN site fs ON fs.id = fu.site_id {version}
WHERE t.token_hash = $1 AND t.scope = 'me' AND t.revoked_at IS NULL AND fu.active
""",
    # Staff feeds die with the role: a demoted or moved staff member's token no longer opens them.
    "staff": """
SELECT fs.id, fs.slug, fs.name, fs.address, fs.timezone, {columns}
FROM feed_token t
JOIN app_user fu ON fu.id = t.user_id
JOIN site fs ON fs.id = t.site_id {version}
WHERE t.token_hash = $1 AND t.scope = 'staff' AND t.revoked_at IS NULL AND fu.active
  AND (fu.role = 'admin' OR (fu.role = 'staff' AND EXISTS (
      SELECT 1 FROM staff_site ss WHERE ss.user_id = fu.id AND ss.site_id = t.site_id)))
""",
}


@dataclass(frozen=True)
class _Union:
    """The contributions a feed shows, and the columns their UNION ALL selects (each once, typed)."""

    feed: str
    contributions: tuple
    columns: tuple[tuple[str, str], ...]  # (name, SQL type)
    kind: str | None  # a kind of unit the rows are filtered by

    @classmethod
    def of(cls, feed: str, only: str | None) -> _Union:
        audience = feed_events.AUDIENCE[feed]
        contributions = tuple(feed_events.serving(feed, only, KINDS))
        columns = dict(feed_events.COMMON)
        for events in contributions:
            for _, name, sql_type in events.columns[audience]:
                if columns.setdefault(name, sql_type) != sql_type:
                    raise ValueError(f"{events.source}.{name} is {sql_type}, elsewhere {columns[name]}")
        return cls(feed, contributions, tuple(columns.items()), only if only in KINDS else None)

    def _where(self, events, subject: str, condition: str) -> str:
        kind = f" AND {events.kind} = '{self.kind}'" if self.kind else ""
        return f"WHERE ({events.subjects[self.feed](subject)}){kind} AND ({condition})"

    def rows(self, subject: str, condition: Callable, prefix: str = "", in_window: bool = False) -> str:
        """Each contribution's rows where `condition(events)` holds, as one statement; with
        `in_window`, a last column says whether each row is in the feed's window."""
        audience = feed_events.AUDIENCE[self.feed]
        branches = []
        for events in self.contributions:
            own = {name: expression for expression, name, _ in events.columns[audience]} | dict(events.common)
            select = [f"'{events.source}'::text AS {prefix}source"] + [
                f"({own[name]})::{sql_type} AS {prefix}{name}" if name in own else f"NULL::{sql_type} AS {prefix}{name}"
                for name, sql_type in self.columns]
            if in_window:
                select.append(f"({events.in_window}) AS {prefix}in_window")
            branches.append(f"SELECT {', '.join(select)} FROM {events.table} {events.joins[audience]} "
                            f"{self._where(events, subject, condition(events))}")
        if not branches:
            empty = [f"NULL::text AS {prefix}source"] + [f"NULL::{t} AS {prefix}{n}" for n, t in self.columns]
            branches.append(f"SELECT {', '.join(empty + ([f'NULL::boolean AS {prefix}in_window'] if in_window else []))}"
                            " WHERE false")
        return "\nUNION ALL\n".join(branches)

    def version(self, subject: str) -> str:
        """What the cached bytes depend on. Every change of a row bumps its updated_at (a booking's
        UPDATE its sequence too), so the sum of sequences moves even when a transaction that started
        earlier commits last (max(updated_at) alone would miss it); count and the sum of ids see rows
        entering or leaving the window; feed_epoch counts changes of closures and of names."""
        # Each branch aggregates its own scan (as cheap as one table's), then the few rows are summed.
        branches = [f"SELECT count(*), max({events.common['updated_at']}), sum({events.common['sequence']})::numeric, "
                    f"sum({events.common['id']})::numeric FROM {events.table} "
                    f"{self._where(events, subject, events.in_window)}" for events in self.contributions]
        union = "\nUNION ALL\n".join(branches) or "SELECT 0::bigint, NULL::timestamptz, 0::numeric, 0::numeric"
        return f"""
    SELECT coalesce(sum(e.n), 0) AS n, max(e.newest) AS newest,
           coalesce(sum(e.seqs), 0) AS seqs, coalesce(sum(e.ids), 0) AS ids
    FROM ({union}) e(n, newest, seqs, ids)"""


def _recent(events) -> str:
    return f"{events.common['updated_at']} >= now() - interval '{int(RECENT.total_seconds())} seconds'"


def _state(feed: str, only: str | None) -> str:
    """The feed's version and its rows changed in the last RECENT (in the window or not:
    changed_in_window says), all read in one snapshot so they can be checked against each other.
    One row per change; a single row with null changed_ columns when none."""
    union, subject = _Union.of(feed, only), SUBJECT[feed]
    changes = union.rows(subject, _recent, prefix=CHANGED, in_window=True)
    return HEADS[feed].format(version=f"""
    CROSS JOIN LATERAL ({union.version(subject)}) v
    LEFT JOIN LATERAL ({changes}) d ON true""", columns=f"v.*, {EPOCH}, d.*")


def _changes(feed: str, only: str | None) -> str:
    """The feed's version and its rows changed since $since (numbered $2 by _for_window), read in
    one snapshot; $1 is the subject."""
    union = _Union.of(feed, only)
    changes = union.rows("$1", lambda events: f"{events.common['updated_at']} >= $since", prefix=CHANGED,
                         in_window=True)
    return f"""
    SELECT v.*, {EPOCH}, d.*
    FROM ({union.version("$1")}) v
    LEFT JOIN LATERAL ({changes}) d ON true"""


def _rows(feed: str, only: str | None) -> str:
    return _Union.of(feed, only).rows("$1", lambda events: events.in_window) + "\nORDER BY starts_at, source, id"


def _timestamp(moment: datetime) -> str:
    return f"'{moment.isoformat()}'::timestamptz"


STATEMENTS = {"state": _state, "changes": _changes, "rows": _rows}


@functools.lru_cache(maxsize=128)
def _statement(which: str, feed: str, window: Window, only: str | None, signature: tuple) -> str:
    """A feed's statement with the window's bounds written in as constants, built once per set of
    contributions (`signature`).

    They change once a day, and as constants they let PostgreSQL keep one generic plan for the
    prepared statement; as parameters it re-plans the state query on every poll, which costs more
    than running it. Only our own values go in: dates, and a kind checked against KINDS."""
    if only is not None and only not in KINDS and only not in signature:
        raise ValueError(f"unknown kind {only!r}")
    return (STATEMENTS[which](feed, only)
            .replace("$2", "$_start").replace("$3", "$_end")  # the bounds, before $2 is renumbered
            .replace("$_start", _timestamp(window.starts_at)).replace("$_end", _timestamp(window.ends_at))
            .replace("$since", "$2"))


def _for(which: str, feed: str, window: Window, only: str | None) -> str:
    return _statement(which, feed, window, only, feed_events.signature())


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


def _split(rows: list[dict]) -> tuple[dict, list[dict]] | None:
    """(state, changed rows) from a state query's rows; None when the feed does not exist."""
    if not rows:
        return None
    state = {key: value for key, value in rows[0].items() if not key.startswith(CHANGED)}
    start = len(CHANGED)
    changes = [{key[start:]: value for key, value in row.items() if key.startswith(CHANGED)}
               for row in rows if row[f"{CHANGED}id"] is not None]
    return state, changes


def state_sql(feed: str, window: Window, only: str | None = None) -> str:
    """The state query of a feed for a window, as sent (scripts/bench_feeds.py explains it).
    `only`: a kind of unit, or one contribution's source (a site's workshops)."""
    return _for("state", feed, window, only)


async def state(feed: str, lookup: str, window: Window, only: str | None = None) -> tuple[dict, list[dict]] | None:
    """The state of a feed named by `lookup` (slug, tag or token hash) with its recent changes."""
    return _split(await db.fetch(state_sql(feed, window, only), lookup))


async def site_state(slug: str, only: str | None, window: Window) -> tuple[dict, list[dict]] | None:
    return await state("site", slug, window, only)


async def resource_state(tag: str, window: Window) -> tuple[dict, list[dict]] | None:
    return await state("resource", tag, window)


async def owner_state(token_hash: str, window: Window) -> tuple[dict, list[dict]] | None:
    return await state("owner", token_hash, window)


async def staff_state(token_hash: str, window: Window) -> tuple[dict, list[dict]] | None:
    return await state("staff", token_hash, window)


async def changes(feed: str, subject_id: int, window: Window, since: datetime,
                  only: str | None = None) -> tuple[dict, list[dict]]:
    """The feed's version and its rows changed since `since` (for a cached copy read longer ago
    than RECENT), in one snapshot."""
    return _split(await db.fetch(_for("changes", feed, window, only), subject_id, since))


async def rows(feed: str, subject_id: int, window: Window, only: str | None = None) -> list[dict]:
    return await db.fetch(_for("rows", feed, window, only), subject_id)


async def site_rows(site_id: int, only: str | None, window: Window) -> list[dict]:
    return await rows("site", site_id, window, only)


async def resource_rows(resource_id: int, window: Window) -> list[dict]:
    return await rows("resource", resource_id, window)


async def owner_rows(user_id: int, window: Window) -> list[dict]:
    return await rows("owner", user_id, window)


async def staff_rows(site_id: int, window: Window) -> list[dict]:
    return await rows("staff", site_id, window)


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
