"""Each feed's bytes, ETag and Last-Modified, re-rendered only when PostgreSQL says it changed."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from fablab.domain import clock
from fablab.hooks import feed_events
from fablab.calendars import content, queries
from fablab.calendars.queries import RECENT
from fablab.calendars.ics import FOOTER, Event, event_bytes, header_bytes
from fablab.domain.errors import NotFound
from fablab.domain.tokens import hash_token

CACHE_SIZE = 512
# A 5,000-event feed is about 2 MB (twice that with its parts, counted below); this keeps a
# worker's cache bounded whatever the feeds.
CACHE_BYTES = 64 * 1024 * 1024
FEED_NOT_FOUND = "No calendar at this address."
# Google Calendar stops reading a subscribed feed near 1 MB (a site feed with 8,203 room bookings
# reached 2.8 MB, issue 26). A feed keeps its events within this budget, nearest first: those from
# today on, then the recent past going back; the rest of the window is left out. With ?kind=
# (one feed per kind, the links of GET /api/feeds) each kind has the whole budget.
MAX_FEED_BYTES = 900 * 1024
# The workshops' source (fablab/workshops/feed_events.py): /cal/sites/{slug}/workshops.ics shows it alone.
WORKSHOPS = "workshop"


@dataclass(frozen=True)
class RenderedFeed:
    version: tuple
    body: bytes
    etag: str
    last_modified: datetime
    private: bool
    # The events it was assembled from, to bring it up to date cheaply (None: render afresh).
    parts: "FeedParts | None" = None


class FeedCache:
    """Rendered feeds of this process, least recently used out first.

    Only a cache: each request checks its version against PostgreSQL, so workers never disagree.
    """

    def __init__(self, size: int = CACHE_SIZE, max_bytes: int = CACHE_BYTES) -> None:
        self.size, self.max_bytes, self.bytes = size, max_bytes, 0
        self.entries: OrderedDict[tuple, RenderedFeed] = OrderedDict()

    def get(self, key: tuple) -> RenderedFeed | None:
        feed = self.entries.get(key)
        if feed is not None:
            self.entries.move_to_end(key)
        return feed

    def put(self, key: tuple, feed: RenderedFeed) -> None:
        previous = self.entries.pop(key, None)
        if previous is not None:
            self.bytes -= _footprint(previous)
        self.entries[key] = feed
        self.bytes += _footprint(feed)
        while len(self.entries) > 1 and (len(self.entries) > self.size or self.bytes > self.max_bytes):
            _, evicted = self.entries.popitem(last=False)
            self.bytes -= _footprint(evicted)

    def clear(self) -> None:
        self.entries.clear()
        self.bytes = 0


def _footprint(feed: RenderedFeed) -> int:
    # The parts hold the same bytes again, event by event.
    return len(feed.body) * (1 if feed.parts is None else 2)


CACHE = FeedCache()


# Changes are looked for from the time of the last read, less this: a row written by a transaction
# that began before that read (updated_at is its start) but committed after it is still caught. A
# later one fails the version check and the feed is rendered afresh: slower, never wrong.
LATE_COMMIT_SLACK = timedelta(seconds=5)


@dataclass
class EventPart:
    marker: tuple  # what the event's bytes depend on: its row's (sequence, updated_at)
    sort_key: tuple
    body: bytes
    digest: bytes


class FeedParts:
    """A feed kept as rendered events, so that a change re-renders only the events it touched.

    The bytes are the header, the events in sort order and the footer; the
    ETag hashes the header, each event's digest and the footer, so it follows the bytes exactly
    without hashing megabytes on every change. `rows_version()` is the version query's formula
    (count, newest change, sum of sequences, sum of ids) computed over the rows held here.
    """

    def __init__(self, header: bytes, fixed: list[Event], epoch, read_at: datetime) -> None:
        self.header, self.epoch = header, epoch
        self.read_at = read_at  # the database's clock when the rows held here were read (or before)
        self.events: dict[tuple, EventPart] = {("fixed", e.uid): _part(e, ()) for e in fixed}
        # (source, id) -> (sequence, updated_at) of each domain's row held here (fablab/hooks/feed_events.py)
        self.rows: dict[tuple[str, int], tuple[int, datetime]] = {}
        # The events in sort order and each key's place in it; None when it must be sorted again.
        self.sequence: list[EventPart] | None = None
        self.position: dict[tuple, int] = {}

    def put(self, row: dict, event: Event) -> None:
        marker = (row["sequence"], row["updated_at"])
        key = (row["source"], row["id"])
        held = self.events.get(key)
        if held is not None and held.marker == marker:
            return
        part = _part(event, marker)
        self.events[key] = part
        self.rows[key] = marker
        if self.sequence is not None and held is not None and held.sort_key == part.sort_key:
            self.sequence[self.position[key]] = part  # same place: no sorting again
        else:
            self.sequence = None

    def remove(self, key: tuple[str, int]) -> None:
        if self.events.pop(key, None) is not None:
            del self.rows[key]
            self.sequence = None

    def rows_version(self) -> tuple:
        markers = self.rows.values()
        return (len(self.rows), max((updated for _, updated in markers), default=None),
                sum(sequence for sequence, _ in markers), sum(row_id for _, row_id in self.rows))

    def assemble(self) -> tuple[bytes, str]:
        if self.sequence is None:
            order = sorted(self.events, key=lambda key: self.events[key].sort_key)
            self.position = {key: n for n, key in enumerate(order)}
            self.sequence = [self.events[key] for key in order]
        parts = _within_budget(self.sequence, MAX_FEED_BYTES - len(self.header) - len(FOOTER), clock.now())
        body = self.header + b"".join(part.body for part in parts) + FOOTER
        digest = hashlib.sha256(self.header)
        digest.update(b"".join(part.digest for part in parts))
        return body, '"' + digest.hexdigest()[:40] + '"'


def _within_budget(parts: list[EventPart], budget: int, now: datetime) -> list[EventPart]:
    """The events to send, in order: all of them when they fit; else from now forwards, then
    backwards, while the budget lasts (what a calendar's reader needs most comes first)."""
    if sum(len(part.body) for part in parts) <= budget:
        return parts
    today = datetime.combine(now.date(), datetime.min.time(), now.tzinfo)
    first = next((n for n, part in enumerate(parts) if part.sort_key[0] >= today), len(parts))
    end = first
    while end < len(parts) and len(parts[end].body) <= budget:
        budget -= len(parts[end].body)
        end += 1
    start = first
    while start > 0 and len(parts[start - 1].body) <= budget:
        budget -= len(parts[start - 1].body)
        start -= 1
    return parts[start:end]


def _part(event: Event, marker: tuple) -> EventPart:
    body = event_bytes(event)
    return EventPart(marker, event.sort_key(), body, hashlib.sha256(body).digest())


@dataclass(frozen=True)
class FeedSource:
    """How to read and render one feed: its rows, its changes since a time, its fixed events."""

    key: str
    private: bool
    header: tuple[str, str]
    event: Callable[[dict, str], Event]
    rows: Callable[[], Awaitable[list[dict]]]
    changes: Callable[[datetime], Awaitable[tuple[dict, list[dict]]]]
    fixed: Callable[[], Awaitable[list[Event]]]


def _version_of(state: dict) -> tuple:
    return (state["n"], state["newest"], state["seqs"], state["ids"], state["epoch"])


async def _full_parts(source: FeedSource, state: dict, host: str) -> FeedParts:
    rows = await source.rows()
    parts = FeedParts(header_bytes(*source.header), await source.fixed(), state["epoch"], state["read_at"])
    for row in rows:
        parts.put(row, source.event(row, host))
    return parts


def _apply(parts: FeedParts, changes: list[dict], state: dict, host: str, source: FeedSource) -> bool:
    """Bring the parts up to `state` with the rows changed since their last read; False when the
    result does not match what PostgreSQL counts (then a full render is due)."""
    for row in changes:
        if row["in_window"]:
            parts.put(row, source.event(row, host))
        else:
            parts.remove((row["source"], row["id"]))
    parts.read_at = max(parts.read_at, state["read_at"])
    return parts.rows_version() + (parts.epoch,) == _version_of(state)


async def _updated(parts: FeedParts, source: FeedSource, state: dict, changes: list[dict], host: str) -> dict | None:
    """The state the parts now match, or None when they cannot be brought up to date."""
    if state["epoch"] != parts.epoch:
        return None  # a closure or a name changed: everything may read differently
    if parts.read_at < state["read_at"] - RECENT + LATE_COMMIT_SLACK:
        # The changes that came with the state do not reach back to the last read: ask for them.
        state, changes = await source.changes(parts.read_at - LATE_COMMIT_SLACK)
    return state if _apply(parts, changes, state, host, source) else None


async def _serve(source: FeedSource, lookup: tuple, state: dict, changes: list[dict], host: str) -> RenderedFeed:
    """The cached feed when its version still holds, else its events brought up to date with the
    changed rows, else a full render. `lookup` is how the request names the feed (slug, tag, token);
    the version starts with the feed's own key, so a name that moved to another feed misses."""
    version = (source.key, *_version_of(state))
    cached = CACHE.get(lookup)
    if cached is not None and cached.version == version:
        return cached
    parts = cached.parts if cached is not None and cached.version[:1] == version[:1] else None
    served = await _updated(parts, source, state, changes, host) if parts is not None else None
    if served is None:
        # The version was read before the rows: a change in between only makes these bytes newer
        # than their version, and the next request brings them up to date.
        parts = await _full_parts(source, state, host)
        served = state
    body, etag = parts.assemble()
    last_modified = await queries.record_state(source.key, etag)
    feed = RenderedFeed((source.key, *_version_of(served)), body, etag, last_modified, source.private, parts)
    CACHE.put(lookup, feed)
    return feed


def _fixed_events(site_id: int | None, window: content.Window, host: str) -> Callable[[], Awaitable[list[Event]]]:
    async def load() -> list[Event]:
        if site_id is None:
            return []
        return content.site_events(await queries.closures(site_id, window), window, host)
    return load


@dataclass(frozen=True)
class FeedKind:
    """What differs between the four feeds. The query functions are looked up when called (tests
    count them). Their events are the domains' (fablab/hooks/feed_events.py), seen by the feed's audience."""

    name: str  # as queries.changes() and feed_events.FEEDS name it
    key: Callable[[dict, str | None], str]  # the feed's own key (Last-Modified record, cache version)
    subject: str  # the state's column with the id the rows are read by
    home_site: str  # the state's column with the site whose closures show (may be null)
    private: bool
    header: Callable[[dict, str | None], tuple[str, str]]
    read_state: Callable[[str, content.Window, str | None], Awaitable[tuple[dict, list[dict]] | None]]
    read_rows: Callable[[int, content.Window, str | None], Awaitable[list[dict]]]


SITE = FeedKind(
    "site", lambda state, only: f"site:{state['id']}:{only or '*'}", "id", "id", False, content.site_header,
    lambda slug, window, only: queries.site_state(slug, only, window),
    lambda site_id, window, only: queries.site_rows(site_id, only, window))
RESOURCE = FeedKind(
    "resource", lambda state, _: f"resource:{state['id']}", "id", "site_id", False,
    lambda state, _: content.resource_header(state),
    lambda tag, window, _: queries.resource_state(tag, window),
    lambda resource_id, window, _: queries.resource_rows(resource_id, window))
# Keyed by the user, not the token: rotating the token changes neither bytes nor Last-Modified.
OWNER = FeedKind(
    "owner", lambda state, _: f"me:{state['user_id']}", "user_id", "site_id", True,
    lambda state, _: content.owner_header(state),
    lambda token_hash, window, _: queries.owner_state(token_hash, window),
    lambda user_id, window, _: queries.owner_rows(user_id, window))
STAFF = FeedKind(
    "staff", lambda state, _: f"staff:{state['id']}", "id", "id", True,
    lambda state, _: content.staff_header(state),
    lambda token_hash, window, _: queries.staff_state(token_hash, window),
    lambda site_id, window, _: queries.staff_rows(site_id, window))


async def _feed(feed: FeedKind, lookup: str, host: str, only: str | None = None) -> RenderedFeed:
    """One query for the feed's state and recent changes; then the cached bytes, or the cached
    events brought up to date, or a full render. `only`: a kind of unit, or one domain's events."""
    window = content.Window.around(clock.now())
    found = await feed.read_state(lookup, window, only)
    if found is None:
        raise NotFound(FEED_NOT_FOUND)
    state, changes = found
    subject = state[feed.subject]
    return await _serve(FeedSource(
        key=feed.key(state, only), private=feed.private, header=feed.header(state, only),
        event=lambda row, host: feed_events.event(row, feed.name, host),
        rows=lambda: feed.read_rows(subject, window, only),
        changes=lambda since: queries.changes(feed.name, subject, window, since, only),
        fixed=_fixed_events(state[feed.home_site], window, host),
    ), (feed.name, lookup, only, window.first_day), state, changes, host)


async def site_feed(slug: str, kind: str | None, host: str) -> RenderedFeed:
    return await _feed(SITE, slug, host, kind)


async def site_workshops_feed(slug: str, host: str) -> RenderedFeed:
    """A site's public workshops: its feed, with the workshops' events only."""
    return await _feed(SITE, slug, host, WORKSHOPS)


async def resource_feed(tag: str, host: str) -> RenderedFeed:
    return await _feed(RESOURCE, tag.upper(), host)


async def owner_feed(token: str, host: str) -> RenderedFeed:
    return await _feed(OWNER, hash_token(token), host)


async def staff_feed(token: str, host: str) -> RenderedFeed:
    return await _feed(STAFF, hash_token(token), host)
