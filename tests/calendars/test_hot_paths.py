"""The hot paths cut to one statement stay right: lazy no-shows seen at once, feeds updated piecewise."""

from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from fablab.platform import db
from fablab.calendars import feeds, queries as feed_queries

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
HOST = "test.example.org"


def paris(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), PARIS)


async def add_booking(tag: str, start: datetime, end: datetime, login: str = "learner1") -> int:
    return await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until) "
        "SELECT r.id, r.site_id, r.kind, u.id, u.id, $3, $4, $4 FROM resource r, app_user u "
        "WHERE r.tag = $1 AND u.login = $2 RETURNING id", tag, login, start, end)


async def update_booking(booking_id: int, sets: str, *args) -> None:
    await db.fetch(f"UPDATE booking SET {sets}, sequence = sequence + 1 WHERE id = $1", booking_id, *args)


async def overdue_room_booking() -> int:
    """learner1's room booking that started 20 minutes ago, past its 15-minute grace."""
    return await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, starts_at, ends_at, blocked_until) "
        "SELECT r.id, r.site_id, r.kind, u.id, now() - interval '20 minutes', now() + interval '1 hour', "
        "now() + interval '1 hour' FROM resource r, app_user u WHERE r.tag = 'VLG-ROOM-001' AND u.login = 'learner1' "
        "RETURNING id")


# --- lazy no-shows, in the same statement as the read -------------------------------------------


async def test_availability_shows_a_released_no_show_as_free_in_the_same_answer(learner):
    stale = await overdue_room_booking()
    today = datetime.now(PARIS).date().isoformat()
    response = await learner.get("/api/availability", params={"site": "vlg", "kind": "room", "date": today})
    assert response.status_code == 200
    assert await db.fetchval("SELECT status FROM booking WHERE id = $1", stale) == "no_show"
    # Read again, with nothing left to release: the first answer already showed the slot as free.
    again = await learner.get("/api/availability", params={"site": "vlg", "kind": "room", "date": today})
    assert again.json() == response.json()


async def test_my_list_shows_a_released_no_show_as_such_in_the_same_answer(learner):
    stale = await overdue_room_booking()
    response = await learner.get("/api/bookings", params={"mine": "true"})
    assert response.status_code == 200
    listed = next(b for b in response.json() if b["id"] == stale)
    assert listed["status"] == "no_show" and listed["sequence"] == 1 and listed["no_show_at"] is not None
    stored = await db.fetchone("SELECT status, sequence FROM booking WHERE id = $1", stale)
    assert dict(stored) == {"status": "no_show", "sequence": 1}


async def test_staff_site_list_shows_a_released_no_show_as_such(staff):
    stale = await overdue_room_booking()
    today = datetime.now(PARIS).date().isoformat()
    response = await staff.get("/api/bookings", params={"site": "vlg", "from": today})
    assert response.status_code == 200
    assert next(b for b in response.json() if b["id"] == stale)["status"] == "no_show"


# --- feeds brought up to date event by event ---------------------------------------------------


@pytest.fixture
def fixed_clock(monkeypatch):
    feeds.CACHE.clear()
    monkeypatch.setattr(feeds, "clock", SimpleNamespace(now=lambda: NOW))  # the feeds' view of fablab.domain.clock
    yield
    feeds.CACHE.clear()


@pytest.fixture
def full_renders(monkeypatch):
    """How many times the feeds read all their rows (a full render)."""
    calls = []
    real = feed_queries.site_rows

    async def counted(*args):
        calls.append(args)
        return await real(*args)

    monkeypatch.setattr(feed_queries, "site_rows", counted)
    return calls


async def fresh_site_feed():
    """What a worker with an empty cache would serve now."""
    saved = dict(feeds.CACHE.entries)
    feeds.CACHE.clear()
    try:
        return await feeds.site_feed("vlg", None, HOST)
    finally:
        feeds.CACHE.clear()
        for key, feed in saved.items():
            feeds.CACHE.put(key, feed)


async def test_a_changed_feed_is_updated_piecewise_to_the_same_bytes_as_a_full_render(demo, fixed_clock, full_renders):
    day = date(2026, 11, 26)
    kept = await add_booking("VLG-ROOM-001", paris(day, 10), paris(day, 11))
    cancelled = await add_booking("VLG-ROOM-002", paris(day, 10), paris(day, 12))
    moved_away = await add_booking("VLG-ROOM-003", paris(day, 14), paris(day, 15))
    first = await feeds.site_feed("vlg", None, HOST)
    assert len(full_renders) == 1

    await update_booking(cancelled, "status = 'cancelled', cancelled_at = now(), updated_at = now()")
    await update_booking(moved_away, "starts_at = $2, ends_at = $3, blocked_until = $3, updated_at = now()",
                         paris(date(2028, 1, 5), 10), paris(date(2028, 1, 5), 11))
    added = await add_booking("VLG-ROOM-001", paris(day, 15), paris(day, 16))
    second = await feeds.site_feed("vlg", None, HOST)

    assert len(full_renders) == 1, "the change should have been applied to the cached events"
    assert second.etag != first.etag
    assert f"booking-{added}.public".encode() in second.body
    assert f"booking-{moved_away}.public".encode() not in second.body
    assert f"booking-{kept}.public".encode() in second.body
    fresh = await fresh_site_feed()
    assert fresh.body == second.body and fresh.etag == second.etag
    # Nothing changed since: the cached feed answers, same bytes.
    assert (await feeds.site_feed("vlg", None, HOST)) is second


async def test_a_late_committed_change_falls_back_to_a_full_render(demo, fixed_clock, full_renders):
    day = date(2026, 11, 27)
    early = await add_booking("VLG-ROOM-001", paris(day, 10), paris(day, 11))
    await add_booking("VLG-ROOM-002", paris(day, 10), paris(day, 11))
    await feeds.site_feed("vlg", None, HOST)
    # As if its transaction had begun an hour ago and committed only now: older than the newest change.
    await update_booking(early, "status = 'cancelled', cancelled_at = now(), updated_at = now() - interval '1 hour'")
    updated = await feeds.site_feed("vlg", None, HOST)
    assert len(full_renders) == 2
    assert b"STATUS:CANCELLED" in updated.body
    fresh = await fresh_site_feed()
    assert fresh.body == updated.body and fresh.etag == updated.etag


async def test_a_renamed_resource_renders_the_feed_afresh(demo, fixed_clock, full_renders):
    await add_booking("VLG-ROOM-001", paris(date(2026, 11, 26), 10), paris(date(2026, 11, 26), 11))
    await feeds.site_feed("vlg", None, HOST)
    await db.fetch("UPDATE resource SET name = 'Salle Hedy Lamarr' WHERE tag = 'VLG-ROOM-001'")
    renamed = await feeds.site_feed("vlg", None, HOST)
    assert "Salle Hedy Lamarr".encode() in renamed.body.replace(b"\r\n ", b"")
    assert len(full_renders) == 2



async def test_a_copy_read_long_ago_asks_for_its_changes_and_stays_piecewise(demo, fixed_clock, full_renders):
    day = date(2026, 11, 26)
    booking = await add_booking("VLG-ROOM-001", paris(day, 10), paris(day, 11))
    first = await feeds.site_feed("vlg", None, HOST)
    # As if the cached copy had been read a minute ago: older than the changes that come with the state.
    first.parts.read_at -= timedelta(minutes=1)
    await update_booking(booking, "status = 'cancelled', cancelled_at = now(), updated_at = now() - interval '30 seconds'")
    updated = await feeds.site_feed("vlg", None, HOST)
    assert len(full_renders) == 1 and b"STATUS:CANCELLED" in updated.body
    fresh = await fresh_site_feed()
    assert fresh.body == updated.body and fresh.etag == updated.etag


# --- a learner's list, kept per process while its version holds --------------------------------


async def test_my_list_copy_follows_every_change(learner):
    day = datetime.now(PARIS).date() + timedelta(days=3)
    first = await add_booking("VLG-ROOM-001", paris(day, 10), paris(day, 11))
    listed = (await learner.get("/api/bookings", params={"mine": "true"})).json()
    assert [b["id"] for b in listed] == [first]
    assert (await learner.get("/api/bookings", params={"mine": "true"})).json() == listed  # the kept copy

    second = await add_booking("VLG-ROOM-002", paris(day, 14), paris(day, 15))
    assert [b["id"] for b in (await learner.get("/api/bookings", params={"mine": "true"})).json()] == [first, second]
    await update_booking(first, "status = 'cancelled', cancelled_at = now(), updated_at = now()")
    statuses = {b["id"]: b["status"] for b in (await learner.get("/api/bookings", params={"mine": "true"})).json()}
    assert statuses == {first: "cancelled", second: "confirmed"}
    # A renamed room (no booking row changes): the names epoch moves.
    await db.fetch("UPDATE resource SET name = 'Salle Grace Hopper' WHERE tag = 'VLG-ROOM-002'")
    names = {b["id"]: b["resource_name"] for b in (await learner.get("/api/bookings", params={"mine": "true"})).json()}
    assert names[second] == "Salle Grace Hopper"
    # A booking released as a no-show by the read itself shows as such at once, and after.
    stale = await overdue_room_booking()
    for _ in range(2):
        listed = {b["id"]: b["status"] for b in (await learner.get("/api/bookings", params={"mine": "true"})).json()}
        assert listed[stale] == "no_show"
