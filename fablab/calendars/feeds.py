"""Each feed's bytes, ETag and Last-Modified, re-rendered only when PostgreSQL says it changed."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable

from fablab.calendars import content, queries
from fablab.calendars.ics import render
from fablab.errors import NotFound
from fablab.tokens import hash_token

CACHE_SIZE = 512
# A 5,000-event feed is about 2 MB; this keeps a worker's cache bounded whatever the feeds.
CACHE_BYTES = 64 * 1024 * 1024
FEED_NOT_FOUND = "No calendar at this address."


def utc_now() -> datetime:
    """The clock deciding the window (tests move it)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class RenderedFeed:
    version: tuple
    body: bytes
    etag: str
    last_modified: datetime
    private: bool


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
            self.bytes -= len(previous.body)
        self.entries[key] = feed
        self.bytes += len(feed.body)
        while len(self.entries) > 1 and (len(self.entries) > self.size or self.bytes > self.max_bytes):
            _, evicted = self.entries.popitem(last=False)
            self.bytes -= len(evicted.body)

    def clear(self) -> None:
        self.entries.clear()
        self.bytes = 0


CACHE = FeedCache()


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


async def _serve(feed_key: str, window: content.Window, state: dict, private: bool,
                 build: Callable[[], Awaitable[content.Calendar]]) -> RenderedFeed:
    version = (state["n"], state["newest"], state["seqs"], state["ids"], state["epoch"])
    cache_key = (feed_key, window.first_day)
    cached = CACHE.get(cache_key)
    if cached is not None and cached.version == version:
        return cached
    # The version was read before the rows: a change in between only makes these bytes newer
    # than their version, and the next request renders again.
    body = render(await build())
    etag = strong_etag(body)
    last_modified = await queries.record_state(feed_key, etag)
    feed = RenderedFeed(version, body, etag, last_modified, private)
    CACHE.put(cache_key, feed)
    return feed


async def site_feed(slug: str, kind: str | None, host: str) -> RenderedFeed:
    window = content.Window.around(utc_now())
    site = await queries.site_state(slug, kind, window)
    if site is None:
        raise NotFound(FEED_NOT_FOUND)

    async def build() -> content.Calendar:
        rows = await queries.site_rows(site["id"], kind, window)
        closures = await queries.closures(site["id"], window)
        return content.site_calendar(site, kind, rows, closures, window, host)

    return await _serve(f"site:{site['id']}:{kind or '*'}", window, site, False, build)


async def resource_feed(tag: str, host: str) -> RenderedFeed:
    window = content.Window.around(utc_now())
    resource = await queries.resource_state(tag, window)
    if resource is None:
        raise NotFound(FEED_NOT_FOUND)

    async def build() -> content.Calendar:
        rows = await queries.resource_rows(resource["id"], window)
        closures = await queries.closures(resource["site_id"], window)
        return content.resource_calendar(resource, rows, closures, window, host)

    return await _serve(f"resource:{resource['id']}", window, resource, False, build)


async def owner_feed(token: str, host: str) -> RenderedFeed:
    window = content.Window.around(utc_now())
    owner = await queries.owner_state(hash_token(token), window)
    if owner is None:
        raise NotFound(FEED_NOT_FOUND)

    async def build() -> content.Calendar:
        rows = await queries.owner_rows(owner["user_id"], window)
        closures = await queries.closures(owner["site_id"], window)
        return content.owner_calendar(owner, rows, closures, window, host)

    # Keyed by the user, not the token: rotating the token does not change the bytes.
    return await _serve(f"me:{owner['user_id']}", window, owner, True, build)


async def staff_feed(token: str, host: str) -> RenderedFeed:
    window = content.Window.around(utc_now())
    site = await queries.staff_state(hash_token(token), window)
    if site is None:
        raise NotFound(FEED_NOT_FOUND)

    async def build() -> content.Calendar:
        rows = await queries.staff_rows(site["id"], window)
        closures = await queries.closures(site["id"], window)
        return content.staff_calendar(site, rows, closures, window, host)

    return await _serve(f"staff:{site['id']}", window, site, True, build)
