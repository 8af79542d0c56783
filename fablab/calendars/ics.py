"""iCalendar (RFC 5545) writing: text escaping, line folding and a feed's bytes; no I/O."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from fablab.hooks.feed_events import Event  # what an event is, shared with the domains that contribute them

__all__ = ["Event", "FOOTER", "escape_text", "event_bytes", "fold", "header_bytes"]

PRODID = "-//fablab//Calendriers fablab//FR"
# Calendar apps poll at most this often (RFC 7986 REFRESH-INTERVAL, and Outlook's/Google's X- name).
REFRESH = "PT1H"
MAX_LINE_OCTETS = 75

# Every Unicode line break, not only CR/LF: some parsers split lines on U+2028, NEL or VT, and a
# hostile name must never start a new content line ("\r\nBEGIN:VEVENT").
_LINE_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# RFC 5545 TEXT allows no control characters but HTAB; line breaks (\n here) are escaped below.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})


def escape_text(value: str) -> str:
    """A TEXT property value: line breaks become \\n, specials are backslash-escaped."""
    value = _LINE_BREAKS.sub("\n", value)
    value = _CONTROLS.sub("", value)
    return value.translate(_TEXT_ESCAPES)


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets without splitting a multi-byte character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_LINE_OCTETS:
        return encoded
    parts = []
    start, limit = 0, MAX_LINE_OCTETS
    while len(encoded) - start > limit:
        cut = start + limit
        while encoded[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: cut before its character
            cut -= 1
        parts.append(encoded[start:cut])
        start, limit = cut, MAX_LINE_OCTETS - 1  # continuation lines start with one space
    parts.append(encoded[start:])
    return b"\r\n ".join(parts)


def utc_stamp(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return (f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
            f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}Z")


def date_stamp(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _when(name: str, value: datetime | date) -> str:
    if isinstance(value, datetime):
        return f"{name}:{utc_stamp(value)}"
    return f"{name};VALUE=DATE:{date_stamp(value)}"


def event_lines(event: Event) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{utc_stamp(event.stamp)}",
        _when("DTSTART", event.start),
        _when("DTEND", event.end),
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    lines.append(f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}")
    lines.append(f"SEQUENCE:{event.sequence}")
    lines.append(f"TRANSP:{'TRANSPARENT' if event.transparent else 'OPAQUE'}")
    if event.related_to:
        lines.append(f"RELATED-TO;RELTYPE=PARENT:{escape_text(event.related_to)}")
    if event.created is not None:
        lines.append(f"CREATED:{utc_stamp(event.created)}")
    lines.append(f"LAST-MODIFIED:{utc_stamp(event.stamp)}")
    lines.append("END:VEVENT")
    return lines


def _lines_bytes(lines: list[str]) -> bytes:
    return b"".join(fold(line) + b"\r\n" for line in lines)


def header_bytes(name: str, description: str) -> bytes:
    """The feed's opening lines, up to its first event."""
    name, description = escape_text(name), escape_text(description)
    return _lines_bytes([
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{name}",
        f"X-WR-CALNAME:{name}",
        f"DESCRIPTION:{description}",
        f"X-WR-CALDESC:{description}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ])


def event_bytes(event: Event) -> bytes:
    """One VEVENT's lines, folded, each ending with CRLF."""
    return _lines_bytes(event_lines(event))


FOOTER = b"END:VCALENDAR\r\n"

