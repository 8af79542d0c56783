"""What each domain puts in the calendar feeds: its rows, as one UNION ALL the feeds read at once.

A domain with events to show (a learner's booking, a workshop) declares `FeedEvents` in `FEED_EVENTS`
beside its ROUTES; fablab/routes_registry.py registers them. fablab/calendars assembles each feed's
statements from the contributions and names no domain's table: the next kind of event is a
declaration, not an edit of the calendars (tests/calendars/test_feed_events.py holds them to it).

A feed is one of `FEEDS`; it shows its events to an `AUDIENCE` (a public feed never selects a
person's column). Each contribution's rows carry `source`, `id`, `sequence`, `updated_at`,
`starts_at`, `ends_at` (the feed's version and order are computed over them, in SQL and in Python
alike) and its own columns, which the other contributions' branches fill with typed NULLs.

A hook: imports no domain. The statements are built lazily (`signature()` is part of their cache
key), since the calendars' modules are imported before the contributions are registered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

FEEDS = ("site", "resource", "owner", "staff")
AUDIENCE = {"site": "public", "resource": "public", "owner": "owner", "staff": "staff"}
# Every contribution's rows have these (name, SQL type); the feed's version is computed over them.
COMMON = (("id", "bigint"), ("sequence", "integer"), ("updated_at", "timestamptz"),
          ("starts_at", "timestamptz"), ("ends_at", "timestamptz"))


@dataclass(frozen=True)
class Event:
    """One VEVENT. Datetimes are written in UTC; dates make an all-day event (end exclusive)."""

    uid: str
    stamp: datetime  # the last change: DTSTAMP and LAST-MODIFIED, so the bytes are stable
    summary: str
    start: datetime | date
    end: datetime | date
    sequence: int = 0
    cancelled: bool = False
    created: datetime | None = None
    description: str = ""
    location: str = ""
    transparent: bool = False
    # RFC 5545 RELATED-TO: a booking of a recurring series names its series (each occurrence keeps
    # its own UID, so one can be moved or cancelled alone).
    related_to: str = ""

    def sort_key(self) -> tuple:
        start = self.start
        if not isinstance(start, datetime):
            start = datetime.combine(start, time(0), timezone.utc)
        return (start.astimezone(timezone.utc), self.uid)


@dataclass(frozen=True)
class FeedEvents:
    # Names the rows (the `source` column, the feeds' cache keys): "booking", "workshop".
    source: str
    # FROM clause of its rows, e.g. "booking b"; `joins` adds the tables an audience's columns need.
    table: str
    # SQL of the COMMON columns and of the row's last change, over `table`'s alias.
    common: Mapping[str, str]
    # SQL: the row is in a feed covering [$2, $3) (written in as constants by the calendars).
    in_window: str
    # Per feed it serves: SQL condition on its rows given the subject's SQL (a site's, a resource's
    # or a person's id). A feed it does not name shows none of its rows.
    subjects: Mapping[str, Callable[[str], str]]
    # Per audience: its own columns (SQL expression, name, SQL type) and the joins they need.
    columns: Mapping[str, tuple[tuple[str, str, str], ...]]
    joins: Mapping[str, str]
    # Per audience: a row of it as an Event (host: the server's, for UIDs).
    event: Mapping[str, Callable[[dict, str], Event]]
    # SQL of the row's kind of unit, when a feed may be filtered by kind (?kind=room); without it,
    # a feed filtered by kind shows none of its rows.
    kind: str | None = None


_contributions: dict[str, FeedEvents] = {}


def register(events: FeedEvents) -> None:
    """Once per source (assembling the app twice adds nothing)."""
    unknown = set(events.subjects) - set(FEEDS)
    if unknown or set(events.common) != {name for name, _ in COMMON}:
        raise ValueError(f"{events.source}: feeds {sorted(unknown)}, common columns {sorted(events.common)}")
    _contributions[events.source] = events


def unregister(source: str) -> None:
    _contributions.pop(source, None)


def signature() -> tuple[str, ...]:
    """The registered sources: the key of the statements built from them."""
    return tuple(sorted(_contributions))


def serving(feed: str, only: str | None = None, kinds: tuple[str, ...] = ()) -> list[FeedEvents]:
    """The contributions a feed shows: all; or, with `only` a kind of unit (one of `kinds`), those
    with a kind; or, with `only` a source, that one."""
    chosen = [_contributions[source] for source in signature() if feed in _contributions[source].subjects]
    if only is None:
        return chosen
    if only in kinds:
        return [events for events in chosen if events.kind is not None]
    return [events for events in chosen if events.source == only]


def event(row: dict, feed: str, host: str) -> Event:
    """A row of any contribution as its feed's audience sees it."""
    return _contributions[row["source"]].event[AUDIENCE[feed]](row, host)


# The words events are written with, shared by every contribution.
DAY_NAMES_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")


def local_label(moment: datetime, tz_name: str) -> str:
    """e.g. "mardi 2 mars 2027 à 18:00", in the site's time, for people reading a description."""
    local = moment.astimezone(ZoneInfo(tz_name))
    day = "1er" if local.day == 1 else str(local.day)
    return (f"{DAY_NAMES_FR[local.weekday()]} {day} {MONTHS_FR[local.month - 1]} {local.year} "
            f"à {local.hour:02d}:{local.minute:02d}")


def location(row: dict) -> str:
    address = row.get("site_address") or ""
    return f"Fablab {row['site_name']}" + (f", {address}" if address else "")
