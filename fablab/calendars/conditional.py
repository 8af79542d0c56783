"""HTTP validators for feeds (RFC 9110 §13): does the client already hold these bytes?"""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # If-None-Match uses the weak comparison: W/"x" matches "x".
    candidates = (part.strip().removeprefix("W/") for part in header.split(","))
    return etag in candidates


def _parse_http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str,
                 last_modified: datetime) -> bool:
    """True when a 304 answers. If-None-Match wins; If-Modified-Since only counts without it."""
    if if_none_match is not None:
        return _etag_matches(if_none_match, etag)
    if if_modified_since:
        since = _parse_http_date(if_modified_since)
        return since is not None and last_modified.replace(microsecond=0) <= since
    return False
