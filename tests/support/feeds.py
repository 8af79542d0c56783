"""Feeds built from rows without a database, through the path the server takes (feeds.FeedParts):
a header, the fixed events (closures, holidays), one event per booking row, the footer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from fablab.bookings import feed_events as bookings
from fablab.calendars import content
from fablab.calendars.feeds import FeedParts
from fablab.calendars.ics import Event, header_bytes


@dataclass(frozen=True)
class Feed:
    header: tuple[str, str]
    event: Callable[[dict, str], Event]
    rows: list[dict]
    fixed: list[Event]
    host: str


def render(feed: Feed) -> bytes:
    parts = FeedParts(header_bytes(*feed.header), feed.fixed, epoch=0, read_at=datetime.now(timezone.utc))
    for row in feed.rows:
        parts.put({"source": "booking", **row}, feed.event(row, feed.host))
    return parts.assemble()[0]


def site_calendar(site: dict, kind: str | None, rows: list[dict], closures: list[dict],
                  window: content.Window, host: str) -> Feed:
    return Feed(content.site_header(site, kind), bookings.public_event, rows,
                content.site_events(closures, window, host), host)


def owner_calendar(owner: dict, rows: list[dict], closures: list[dict], window: content.Window, host: str) -> Feed:
    # The learner's home site's closures show; an account without a site has none.
    fixed = content.site_events(closures, window, host) if owner.get("site_id") is not None else []
    return Feed(content.owner_header(owner), bookings.owner_event, rows, fixed, host)


def staff_calendar(site: dict, rows: list[dict], closures: list[dict], window: content.Window, host: str) -> Feed:
    return Feed(content.staff_header(site), bookings.staff_event, rows, content.site_events(closures, window, host),
                host)
