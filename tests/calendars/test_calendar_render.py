"""The iCal renderer on its own: escaping, folding, DST days, determinism, HTTP validators."""

import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from fablab.calendars import content
from fablab.calendars.conditional import http_date, not_modified
from fablab.calendars.ics import escape_text, fold
from tests.support.feeds import owner_calendar, render, site_calendar, staff_calendar

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")
HOST = "fablab.example.org"
HOSTILE = [
    "Ligne 1\nLigne 2\r\nLigne 3\rfin",
    "virgule, point-virgule; deux-points: antislash \\ fin\\",
    "emoji 🎉👩🏽‍💻 et accents éàü",
    "\r\nBEGIN:VEVENT\r\nUID:evil@x\r\nSUMMARY:injected\r\nEND:VEVENT",
    "séparateurs\u2028unicode\u2029et\x85NEL\x0bVT",
    "contrôle\x00\x07\x1b supprimés",
    "é" * 200,
]


def booking_row(booking_id, start, end, *, resource_name="Portable 01", purpose="", status="confirmed",
                sequence=0, kind="room"):
    stamp = datetime(2026, 11, 20, 8, 15, 30, tzinfo=UTC)
    return dict(
        id=booking_id, kind=kind, starts_at=start, ends_at=end, status=status, sequence=sequence,
        created_at=stamp, updated_at=stamp + timedelta(seconds=booking_id), purpose=purpose,
        resource_name=resource_name, tag="VLG-LAP-001", site_name="Villeneuve-la-Garenne",
        site_address="1 rue X", timezone="Europe/Paris", checked_out_at=None, returned_at=None,
        cancelled_at=None, no_show_at=None, holder_name="Inès B.", holder_login="learner1",
    )


def window_for(day: date) -> content.Window:
    return content.Window.around(datetime.combine(day, datetime.min.time(), UTC))


def parse_both(body: bytes):
    """(icalendar events, ical events) of a feed, each checked to be a real parse."""
    first = [c for c in icalendar.Calendar.from_ical(body).walk("VEVENT")]
    second = IcsCalendarStream.calendar_from_ics(body.decode("utf-8")).events
    return first, second


def expected_text(value: str) -> str:
    """What a parser must give back: line breaks as \\n, control characters gone."""
    for brk in ("\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b"):
        value = value.replace(brk, "\n")
    return "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 32 and ch != "\x7f")


def test_escape_text_escapes_specials_and_every_line_break():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert escape_text("x\r\ny\u2028z\x00") == "x\\ny\\nz"
    assert "\r" not in escape_text(HOSTILE[3]) and "\n" not in escape_text(HOSTILE[3])


def test_fold_keeps_lines_short_and_characters_whole():
    line = "SUMMARY:" + "🎉é" * 80
    folded = fold(line)
    physical = folded.split(b"\r\n")
    assert all(len(part) <= 75 for part in physical)
    for part in physical:
        part.decode("utf-8")  # no multi-byte character split across a fold
    assert b"".join(p[1:] if i else p for i, p in enumerate(physical)).decode() == line


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_stays_inside_its_property(text):
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    rows = [booking_row(1, start, start + timedelta(hours=2), resource_name=text, purpose=text),
            booking_row(2, start + timedelta(hours=3), start + timedelta(hours=4), resource_name=text, purpose=text)]
    window = window_for(date(2026, 11, 24))
    body = render(owner_calendar({"site_id": None}, rows, [], window, HOST))
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    first, second = parse_both(body)
    assert len(first) == len(second) == 2
    assert sorted(str(e["UID"]) for e in first) == [f"booking-1@{HOST}", f"booking-2@{HOST}"]
    for event in first:
        assert str(event["SUMMARY"]) == f"Réservation – {expected_text(text)}"
        assert f"Objet : {expected_text(text)}" in str(event["DESCRIPTION"])
    for event in second:
        assert event.summary == f"Réservation – {expected_text(text)}"
        assert f"Objet : {expected_text(text)}" in event.description


@pytest.mark.parametrize("day", [date(2027, 3, 28), date(2027, 10, 31)])
def test_dst_change_days_give_exact_utc_instants_in_both_parsers(day):
    # Sundays: sites are closed, but the renderer writes whatever rows it gets.
    def at(hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)

    local = [(at(1, 30), at(3, 30)), (at(9), at(12)), (at(17, 30), at(23))]  # the first spans the change
    rows = [booking_row(n + 1, s.astimezone(UTC), e.astimezone(UTC)) for n, (s, e) in enumerate(local)]
    window = window_for(day - timedelta(days=10))
    body = render(site_calendar({"name": "Villeneuve-la-Garenne"}, None, rows, [], window, HOST))
    first, second = parse_both(body)
    expected = {f"booking-{r['id']}.public@{HOST}": (r["starts_at"], r["ends_at"]) for r in rows}
    # 09:00 in Paris is 07:00Z after the spring change and 08:00Z after the autumn one.
    nine_utc = 7 if day.month == 3 else 8
    assert rows[1]["starts_at"] == datetime(day.year, day.month, day.day, nine_utc, tzinfo=UTC)
    assert f"DTSTART:{day:%Y%m%d}T0{nine_utc}0000Z".encode() in body
    got_first = {str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND")) for e in first if "booking" in str(e["UID"])}
    got_second = {e.uid: (e.dtstart, e.dtend) for e in second if e.uid.startswith("booking")}
    assert got_first == expected
    assert got_second == expected
    # Instants, not only equal datetimes: each is an aware UTC value.
    assert all(s.utcoffset() == timedelta(0) for s, _ in got_second.values())


def test_output_is_deterministic_whatever_the_row_order():
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    rows = [booking_row(n, start + timedelta(hours=n), start + timedelta(hours=n, minutes=30)) for n in range(1, 40)]
    closures = [dict(id=1, site_id=None, starts_on=date(2026, 12, 24), ends_on=date(2027, 1, 2), reason="Congés",
                     updated_at=start, site_name=None)]
    window = window_for(date(2026, 11, 24))
    site = {"name": "Pantin"}
    body = render(site_calendar(site, None, rows, closures, window, HOST))
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    assert render(site_calendar(site, None, shuffled, closures, window, HOST)) == body
    assert body.endswith(b"END:VCALENDAR\r\n")
    for needle in (b"NAME:Fablab Pantin", b"X-WR-CALNAME:Fablab Pantin", b"REFRESH-INTERVAL;VALUE=DURATION:PT1H",
                   b"X-PUBLISHED-TTL:PT1H", b"VERSION:2.0", b"PRODID:", b"\r\nDESCRIPTION:"):
        assert needle in body


def test_closures_are_all_day_events_ending_the_day_after():
    closures = [dict(id=7, site_id=3, starts_on=date(2026, 12, 24), ends_on=date(2026, 12, 26), reason="Congés, fin d'année",
                     updated_at=datetime(2026, 11, 1, tzinfo=UTC), site_name="Pantin")]
    body = render(site_calendar({"name": "Pantin"}, None, [], closures, window_for(date(2026, 11, 24)), HOST))
    first, second = parse_both(body)
    closure = next(e for e in second if e.uid == f"closure-7@{HOST}")
    assert (closure.dtstart, closure.dtend) == (date(2026, 12, 24), date(2026, 12, 27))
    assert closure.summary == "Fermé – Congés, fin d'année"
    # French public holidays in the window are closures too.
    assert any(e.uid == f"holiday-2026-12-25@{HOST}" for e in second)


def test_cancelled_and_no_show_are_status_cancelled():
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    rows = [booking_row(1, start, start + timedelta(hours=1), status="cancelled", sequence=3),
            booking_row(2, start, start + timedelta(hours=1), status="no_show", sequence=1),
            booking_row(3, start, start + timedelta(hours=1), status="returned", sequence=2)]
    body = render(owner_calendar({"site_id": None}, rows, [], window_for(date(2026, 11, 24)), HOST))
    _, second = parse_both(body)
    statuses = {e.uid: (e.status.value, e.sequence) for e in second}
    assert statuses == {f"booking-1@{HOST}": ("CANCELLED", 3), f"booking-2@{HOST}": ("CANCELLED", 1),
                        f"booking-3@{HOST}": ("CONFIRMED", 2)}


def test_public_events_carry_no_holder_and_no_purpose():
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    row = booking_row(1, start, start + timedelta(hours=1), purpose="Rendez-vous médical de Inès")
    body = render(site_calendar({"name": "V"}, None, [row], [], window_for(date(2026, 11, 24)), HOST))
    assert "Inès".encode() not in body and b"learner1" not in body and "Réservé – Portable 01".encode() in body


def test_staff_events_name_the_holder():
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    body = render(staff_calendar({"name": "V"}, [booking_row(1, start, start + timedelta(hours=1))], [],
                                 window_for(date(2026, 11, 24)), HOST))
    _, second = parse_both(body)
    event = next(e for e in second if e.uid == f"booking-1.staff@{HOST}")
    assert event.summary == "Portable 01 – Inès B." and "learner1" in event.description


def test_window_is_whole_days_30_back_180_ahead():
    window = content.Window.around(datetime(2026, 11, 24, 23, 59, tzinfo=UTC))
    assert window.first_day == date(2026, 10, 25)
    assert window.end_day == date(2027, 5, 24)  # exclusive: 180 days after today are in
    assert window == content.Window.around(datetime(2026, 11, 24, 0, 0, tzinfo=UTC))


def test_conditional_requests():
    etag, modified = '"abc"', datetime(2026, 11, 24, 10, 0, 0, tzinfo=UTC)
    assert not_modified('"abc"', None, etag, modified)
    assert not_modified('W/"abc", "zzz"', None, etag, modified)
    assert not_modified("*", None, etag, modified)
    assert not not_modified('"zzz"', None, etag, modified)
    # If-None-Match wins over If-Modified-Since.
    assert not not_modified('"zzz"', http_date(modified), etag, modified)
    assert not_modified(None, http_date(modified), etag, modified)
    assert not_modified(None, http_date(modified + timedelta(hours=1)), etag, modified)
    assert not not_modified(None, http_date(modified - timedelta(seconds=1)), etag, modified)
    assert not not_modified(None, "not a date", etag, modified)
    assert http_date(modified) == "Tue, 24 Nov 2026 10:00:00 GMT"


def test_feed_cache_is_bounded_by_count_and_bytes():
    from fablab.calendars.feeds import FeedCache, RenderedFeed

    def feed(size: int) -> RenderedFeed:
        return RenderedFeed((), b"x" * size, '"e"', datetime(2026, 1, 1, tzinfo=UTC), False)

    cache = FeedCache(size=3, max_bytes=100)
    for n in range(4):
        cache.put(("k", n), feed(10))
    assert list(cache.entries) == [("k", 1), ("k", 2), ("k", 3)]
    cache.get(("k", 1))  # recently used: kept
    cache.put(("big", 0), feed(85))
    assert list(cache.entries) == [("k", 1), ("big", 0)] and cache.bytes == 95
    cache.put(("big", 0), feed(20))
    assert cache.bytes == 30
