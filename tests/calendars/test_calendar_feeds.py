"""Calendar feeds over HTTP: parsing, caching and validators, anonymity, and private tokens."""

from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from fablab.platform import db
from fablab.calendars import feeds
from fablab.seed import DEMO_SITES

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday
HOSTILE = "Vis, écrou; \\ fin\r\nBEGIN:VEVENT\r\nUID:evil\r\nEND:VEVENT\n🎉\u2028x"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The feeds' clock, fixed (their view of fablab.domain.clock: sessions keep the real time); the
    in-process cache emptied (each test starts a fresh database)."""
    feeds.CACHE.clear()
    state = {"now": NOW}
    monkeypatch.setattr(feeds, "clock", SimpleNamespace(now=lambda: state["now"]))
    return state


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


async def add_booking(tag: str, login: str, start: datetime, end: datetime, *, status: str = "confirmed",
                      purpose: str = "") -> int:
    # Bookings go in with SQL: the renderer must take whatever the table holds (even Sundays).
    return await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, "
        "status, purpose, cancelled_at) "
        "SELECT r.id, r.site_id, r.kind, u.id, u.id, $3, $4, $4, $5, $6, "
        "CASE WHEN $5 = 'cancelled' THEN now() END "
        "FROM resource r, app_user u WHERE r.tag = $1 AND u.login = $2 RETURNING id",
        tag, login, start, end, status, purpose,
    )


async def update_booking(booking_id: int, sets: str, *args) -> None:
    # The rule every writer keeps (helper-common): each UPDATE bumps sequence and updated_at.
    await db.fetch(
        f"UPDATE booking SET {sets}, sequence = sequence + 1, updated_at = now() WHERE id = $1", booking_id, *args,
    )


async def cancel(booking_id: int) -> None:
    await update_booking(booking_id, "status = 'cancelled', cancelled_at = now()")


def events_of(body: bytes) -> tuple[list, list]:
    """Booking events as parsed by icalendar and by ical (each parser reads the whole feed)."""
    first = [e for e in icalendar.Calendar.from_ical(body).walk("VEVENT") if str(e["UID"]).startswith("booking-")]
    second = [e for e in IcsCalendarStream.calendar_from_ics(body.decode("utf-8")).events
              if e.uid.startswith("booking-")]
    return first, second


def by_id(events) -> dict[int, object]:
    out = {}
    for event in events:
        uid = event.uid if hasattr(event, "uid") and isinstance(event.uid, str) else str(event["UID"])
        out[int(uid.split("@")[0].removeprefix("booking-").split(".")[0])] = event
    return out


def unfolded_text(body: bytes) -> str:
    """The feed's text with folds undone and TEXT escapes removed, for searching."""
    text = body.decode("utf-8").replace("\r\n ", "")
    return text.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


async def personal_link(client) -> str:
    response = await client.post("/api/me/feed-token")
    assert response.status_code == 201, response.text
    links = response.json()
    assert links["webcal"] == "webcal://" + links["https"].split("://", 1)[1]
    return links["https"].removeprefix("http://testserver")


async def staff_link(client, site: str | None = None):
    return await client.post("/api/me/staff-feed-token", params={"site": site} if site else None)


# --- HTTP behaviour --------------------------------------------------------------------------


async def test_site_feed_headers_identical_bytes_and_304(anon):
    await add_booking("VLG-ROOM-001", "learner1", paris(date(2026, 11, 26), 10), paris(date(2026, 11, 26), 12))
    first = await anon.get("/cal/sites/vlg.ics")
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "content-disposition" not in first.headers
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"].startswith("public")
    second = await anon.get("/cal/sites/vlg.ics")
    assert second.content == first.content and second.headers["etag"] == etag
    assert second.headers["last-modified"] == first.headers["last-modified"]

    not_modified = await anon.get("/cal/sites/vlg.ics", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    since = await anon.get("/cal/sites/vlg.ics", headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    stale = await anon.get("/cal/sites/vlg.ics", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.content == first.content


async def test_bad_feed_addresses(anon):
    assert (await anon.get("/cal/sites/vlg")).status_code == 404
    assert (await anon.get("/cal/sites/.ics")).status_code == 404
    assert (await anon.get("/cal/sites/nowhere.ics")).status_code == 404
    assert (await anon.get("/cal/resources/VLG-NOPE-001.ics")).status_code == 404
    bad_kind = await anon.get("/cal/sites/vlg.ics", params={"kind": "boat"})
    assert bad_kind.status_code == 400 and bad_kind.json()["code"] == "unknown_kind"
    # Tags are case-insensitive, like everywhere else.
    assert (await anon.get("/cal/resources/vlg-lap-001.ics")).status_code == 200


async def test_new_booking_change_and_cancellation_each_move_the_etag(anon):
    day = date(2026, 11, 27)
    await add_booking("VLG-ROOM-001", "learner1", paris(day, 9), paris(day, 10))
    seen_etags, last_modified = [], []

    async def fetch() -> bytes:
        response = await anon.get("/cal/sites/vlg.ics")
        assert response.status_code == 200
        seen_etags.append(response.headers["etag"])
        last_modified.append(datetime.strptime(response.headers["last-modified"], "%a, %d %b %Y %H:%M:%S GMT"))
        return response.content

    await fetch()
    booking = await add_booking("VLG-ROOM-002", "learner2", paris(day, 14), paris(day, 16))
    body = await fetch()
    assert booking in by_id(events_of(body)[1])
    before = by_id(events_of(body)[1])[booking].sequence

    await update_booking(booking, "ends_at = $2, blocked_until = $2", paris(day, 17))
    body = await fetch()
    assert by_id(events_of(body)[1])[booking].dtend == paris(day, 17)

    await cancel(booking)
    body = await fetch()
    first, second = events_of(body)
    assert str(by_id(first)[booking]["STATUS"]) == "CANCELLED"
    assert by_id(second)[booking].status.value == "CANCELLED"
    assert by_id(second)[booking].sequence > before

    # An old ETag no longer gives a 304.
    assert (await anon.get("/cal/sites/vlg.ics", headers={"If-None-Match": seen_etags[0]})).status_code == 200
    assert len(set(seen_etags)) == len(seen_etags) == 4
    assert last_modified == sorted(last_modified) and len(set(last_modified)) == 4


async def test_closures_deleted_or_added_and_renames_move_the_feed_forward(anon):
    async def fetch():
        response = await anon.get("/cal/resources/VLG-ROOM-001.ics")
        return response.headers["etag"], response.headers["last-modified"], response.content

    def moment(header: str) -> datetime:
        return datetime.strptime(header, "%a, %d %b %Y %H:%M:%S GMT")

    etag0, lm0, _ = await fetch()
    closure = await db.fetchval(
        "INSERT INTO closure (site_id, starts_on, ends_on, reason) "
        "SELECT id, '2026-12-21', '2026-12-31', 'Fermeture d''hiver' FROM site WHERE slug = 'vlg' RETURNING id")
    etag1, lm1, body = await fetch()
    assert etag1 != etag0 and moment(lm1) > moment(lm0)
    assert "Fermeture d'hiver" in unfolded_text(body) and "DTSTART;VALUE=DATE:20261221" in body.decode()

    await db.fetch("DELETE FROM closure WHERE id = $1", closure)  # a deletion leaves no updated_at behind
    etag2, lm2, body = await fetch()
    assert etag2 != etag1 and moment(lm2) > moment(lm1) and "hiver" not in body.decode()

    await db.fetch("UPDATE resource SET name = 'Salle Hedy Lamarr' WHERE tag = 'VLG-ROOM-001'")
    await add_booking("VLG-ROOM-001", "learner1", paris(date(2026, 11, 30), 9), paris(date(2026, 11, 30), 10))
    etag3, _, body = await fetch()
    assert "Réservé – Salle Hedy Lamarr" in body.decode()
    await db.fetch("UPDATE resource SET name = 'Salle Ada' WHERE tag = 'VLG-ROOM-001'")
    etag4, _, body = await fetch()
    assert etag4 != etag3 and "Réservé – Salle Ada" in body.decode()
    # Another site's closure does not show here.
    await db.fetch("INSERT INTO closure (site_id, starts_on, ends_on, reason) "
                   "SELECT id, '2026-12-01', '2026-12-01', 'Ailleurs' FROM site WHERE slug = 'pan'")
    assert "Ailleurs" not in (await fetch())[2].decode()


async def test_window_and_cancellation_retention(anon, clock):
    async def hour_on(tag: str, days_from_today: int) -> int:
        day = NOW.date() + timedelta(days=days_from_today)
        return await add_booking(tag, "learner1", paris(day, 9), paris(day, 10))

    old, recent = await hour_on("VLG-ROOM-001", -40), await hour_on("VLG-ROOM-001", -20)
    far, ahead = await hour_on("VLG-ROOM-001", 200), await hour_on("VLG-ROOM-001", 170)
    cancelled_long_ago = await hour_on("VLG-ROOM-002", 3)
    await cancel(cancelled_long_ago)
    await db.fetch("UPDATE booking SET cancelled_at = $2, updated_at = $2 WHERE id = $1",
                   cancelled_long_ago, NOW - timedelta(days=45))
    no_show = await hour_on("VLG-ROOM-003", -1)
    await update_booking(no_show, "status = 'no_show', no_show_at = now()")
    ids = set(by_id(events_of((await anon.get("/cal/sites/vlg.ics")).content)[1]))
    assert ids == {recent, ahead, no_show}
    # Days later the window has moved: the bytes change though no row did.
    first = await anon.get("/cal/sites/vlg.ics")
    clock["now"] = NOW + timedelta(days=11)
    later = await anon.get("/cal/sites/vlg.ics")
    assert later.headers["etag"] != first.headers["etag"]
    assert recent not in by_id(events_of(later.content)[1])
    assert old not in by_id(events_of(later.content)[1]) and far not in by_id(events_of(later.content)[1])


@pytest.mark.parametrize("day, today", [(date(2027, 3, 28), date(2027, 3, 17)), (date(2027, 10, 31), date(2027, 10, 20))])
async def test_both_parsers_give_the_exact_instants_on_dst_days(anon, learner, clock, day, today):
    clock["now"] = datetime.combine(today, time(12), UTC)
    slots = [(paris(day, 1, 30), paris(day, 3, 30)), (paris(day, 9), paris(day, 12)), (paris(day, 14), paris(day, 23))]
    ids = [await add_booking(tag, "learner1", start, end, purpose="DST")
           for tag, (start, end) in zip(["VLG-ROOM-001", "VLG-ROOM-002", "VLG-LAP-003"], slots)]
    # A loan across the night of the change too.
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    ids.append(await add_booking("VLG-LAP-004", "learner1", paris(before, 9), paris(after, 18)))
    rows = await db.fetch("SELECT id, starts_at, ends_at FROM booking WHERE id = ANY($1::bigint[])", ids)
    expected = {row["id"]: (row["starts_at"], row["ends_at"]) for row in rows}
    link = await personal_link(learner)
    for path in ("/cal/sites/vlg.ics", link):
        body = (await anon.get(path)).content
        first, second = events_of(body)
        assert {i: (e.decoded("DTSTART"), e.decoded("DTEND")) for i, e in by_id(first).items()} == expected
        assert {i: (e.dtstart, e.dtend) for i, e in by_id(second).items()} == expected
        for start, _ in expected.values():
            assert start.utcoffset() == timedelta(0)


async def test_hostile_names_and_purposes_stay_inside_their_property(anon, learner, staff):
    await db.fetch("UPDATE resource SET name = $1 WHERE tag IN ('VLG-ROOM-001', 'VLG-LAP-001')", HOSTILE)
    day = date(2026, 11, 30)
    ids = [await add_booking("VLG-ROOM-001", "learner1", paris(day, 9), paris(day, 10), purpose=HOSTILE),
           await add_booking("VLG-ROOM-001", "learner1", paris(day, 11), paris(day, 12), purpose=HOSTILE),
           await add_booking("VLG-LAP-001", "learner1", paris(day, 9), paris(day + timedelta(days=1), 18), purpose=HOSTILE)]
    staff_feed = (await staff_link(staff)).json()["https"].removeprefix("http://testserver")
    expected_text = HOSTILE.replace("\r\n", "\n").replace("\u2028", "\n")
    for path in ("/cal/sites/vlg.ics", "/cal/resources/VLG-ROOM-001.ics", await personal_link(learner), staff_feed):
        body = (await anon.get(path)).content
        assert all(len(line) <= 75 for line in body.split(b"\r\n"))
        first, second = events_of(body)
        wanted = set(ids) if "ROOM" not in path else set(ids[:2])
        assert set(by_id(first)) == set(by_id(second)) == wanted  # one event per booking, no injected one
        assert len(first) == len(second) == len(wanted)
        for event in second:
            assert expected_text in event.summary
            if "/cal/me/" in path or "/cal/staff/" in path:
                assert f"Objet : {expected_text}" in event.description


async def test_public_feeds_hold_no_personal_data(anon, demo):
    day = date(2026, 11, 26)
    learners = await db.fetch("SELECT u.id, u.login, u.name, s.slug FROM app_user u JOIN site s ON s.id = u.site_id "
                              "WHERE u.role = 'learner' ORDER BY u.id")
    prefixes = {slug: prefix for slug, prefix, *_ in DEMO_SITES}
    for n, user in enumerate(learners):
        prefix = prefixes[user["slug"]]
        await add_booking(f"{prefix}-LAP-{n % 10 + 1:03d}", user["login"], paris(day, 9), paris(day, 18),
                          purpose=f"Projet de {user['name']} ({user['login']})")
        room = f"{prefix}-ROOM-{n % 3 + 1:03d}"
        later = day + timedelta(days=1 + n % 10)
        await add_booking(room, user["login"], paris(later, 10), paris(later, 11), purpose=f"secret-{user['login']}")
    cancelled = await add_booking("VLG-P3D-001", "learner3", paris(day, 14), paris(day, 15), purpose="learner3 privé")
    await cancel(cancelled)
    paths = []
    for slug, prefix, *_ in DEMO_SITES:
        paths += [f"/cal/sites/{slug}.ics"] + [f"/cal/sites/{slug}.ics?kind={k}" for k in ("laptop", "printer_3d", "room")]
        paths += [f"/cal/resources/{prefix}-LAP-{n:03d}.ics" for n in range(1, 11)]
        paths += [f"/cal/resources/{prefix}-ROOM-{n:03d}.ics" for n in range(1, 4)]
    paths.append("/cal/resources/VLG-P3D-001.ics")
    total_events = 0
    for path in paths:
        response = await anon.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"].startswith("public")
        raw, text = response.content.decode("utf-8"), unfolded_text(response.content)
        for user in learners:
            for secret in (user["name"], user["login"], f"secret-{user['login']}"):
                assert secret not in raw and secret not in text, (path, secret)
        assert "Projet de" not in text and "Objet" not in text and "DESCRIPTION:Ressource" not in text
        total_events += len(events_of(response.content)[1])
    assert total_events > 0


# --- Private feeds and tokens ------------------------------------------------------------------


async def test_personal_feed_shows_own_bookings_with_details_only(anon, learner):
    day = date(2026, 11, 26)
    mine = await add_booking("VLG-LAP-002", "learner1", paris(day, 9), paris(day + timedelta(days=2), 18), purpose="Stage")
    theirs = await add_booking("VLG-LAP-003", "learner2", paris(day, 9), paris(day, 18), purpose="Autre")
    link = await personal_link(learner)
    response = await anon.get(link)
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("private")
    _, second = events_of(response.content)
    assert set(by_id(second)) == {mine}
    event = by_id(second)[mine]
    assert "Objet : Stage" in event.description
    assert "À rendre le samedi 28 novembre 2026 à 18:00" in event.description
    assert event.location.startswith("Fablab Villeneuve-la-Garenne")
    assert theirs not in by_id(second)
    assert link.split("/")[-1].removesuffix(".ics").encode() not in response.content


async def test_rotation_kills_the_old_token_and_all_failures_look_alike(anon, learner, other_learner):
    old = await personal_link(learner)
    assert (await anon.get(old)).status_code == 200
    new = await personal_link(learner)
    assert new != old
    gone, fresh = await anon.get(old), await anon.get(new)
    assert gone.status_code == 404 and fresh.status_code == 200
    wrong = await anon.get("/cal/me/" + "A" * 43 + ".ics")
    other = await personal_link(other_learner)
    assert (await anon.get(other)).status_code == 200
    staff_path_with_learner_token = await anon.get(new.replace("/cal/me/", "/cal/staff/"))
    for failure in (wrong, staff_path_with_learner_token):
        assert failure.status_code == 404 and failure.content == gone.content
    # Only one live personal token per user, stored hashed.
    rows = await db.fetch("SELECT token_hash, revoked_at FROM feed_token WHERE scope = 'me' ORDER BY id")
    assert [r["revoked_at"] is None for r in rows] == [False, True, True]
    assert all(new.split("/")[-1].removesuffix(".ics") not in r["token_hash"] for r in rows)
    # A deactivated account's feed is gone too.
    await db.fetch("UPDATE app_user SET active = false WHERE login = 'learner1'")
    assert (await anon.get(new)).status_code == 404


async def test_staff_feed_names_holders_and_refuses_learners(anon, learner, staff, admin):
    day = date(2026, 11, 26)
    here = await add_booking("VLG-ROOM-001", "learner1", paris(day, 9), paris(day, 10), purpose="Jury")
    elsewhere = await add_booking("PFS-ROOM-001", "learner11", paris(day, 9), paris(day, 10))
    refused = await learner.post("/api/me/staff-feed-token")
    assert refused.status_code == 403
    other_site = await staff_link(staff, "pfs")
    assert other_site.status_code == 403 and other_site.json()["code"] == "not_your_site"
    created = await staff_link(staff)
    assert created.status_code == 201
    path = created.json()["https"].removeprefix("http://testserver")
    response = await anon.get(path)
    assert response.status_code == 200 and response.headers["cache-control"].startswith("private")
    _, second = events_of(response.content)
    assert set(by_id(second)) == {here}
    assert by_id(second)[here].summary == "Salle Ada Lovelace – Inès D."
    assert "learner1" in by_id(second)[here].description
    # The staff token does not open a personal feed.
    assert (await anon.get(path.replace("/cal/staff/", "/cal/me/"))).status_code == 404
    # Admins have no site: they name one.
    assert (await staff_link(admin)).json()["code"] == "site_required"
    admin_link = (await staff_link(admin, "pfs")).json()["https"].removeprefix("http://testserver")
    assert set(by_id(events_of((await anon.get(admin_link)).content)[1])) == {elsewhere}
    # Demoted staff lose the feed at once.
    await db.fetch("UPDATE app_user SET role = 'learner' WHERE login = 'staff.vlg'")
    assert (await anon.get(path)).status_code == 404


async def test_feed_links_for_the_web_app(learner, staff, anon):
    listing = await learner.get("/api/feeds")
    assert listing.status_code == 200
    body = listing.json()
    assert [(f["site"], f["kind"]) for f in body["public"]] == [
        ("vlg", None), ("vlg", "laptop"), ("vlg", "printer_3d"), ("vlg", "room")]
    first = body["public"][0]
    assert first["https"] == "http://testserver/cal/sites/vlg.ics"
    assert first["webcal"] == "webcal://testserver/cal/sites/vlg.ics"
    assert body["personal"] == {"active": False, "created_at": None, "site": None, "https": None, "webcal": None,
                                "google": None} and body["staff"] is None
    for feed in body["public"]:
        assert (await anon.get(feed["https"].removeprefix("http://testserver"))).status_code == 200
    await personal_link(learner)
    assert (await learner.get("/api/feeds")).json()["personal"]["active"] is True
    await staff_link(staff)
    assert (await staff.get("/api/feeds")).json()["staff"]["site"] == "vlg"
    assert (await anon.get("/api/feeds")).status_code == 401
    assert (await anon.post("/api/me/feed-token")).status_code == 401


# --- Across worker processes -------------------------------------------------------------------


async def test_every_worker_sees_a_change_at_once(live_server):
    now = datetime.now(UTC)
    day = (now + timedelta(days=2)).astimezone(PARIS).date()
    booking = await add_booking("PAN-ROOM-002", "learner21", paris(day, 9), paris(day, 10))
    async with httpx.AsyncClient(base_url=live_server) as client:
        first = [await client.get("/cal/sites/pan.ics") for _ in range(8)]
        assert len({r.headers["etag"] for r in first}) == 1
        assert len({r.content for r in first}) == 1
        assert len({r.headers["last-modified"] for r in first}) == 1
        await cancel(booking)
        after = [await client.get("/cal/sites/pan.ics") for _ in range(8)]
        assert len({r.headers["etag"] for r in after}) == 1
        assert after[0].headers["etag"] != first[0].headers["etag"]
        assert b"STATUS:CANCELLED" in after[0].content
        revalidated = await client.get("/cal/sites/pan.ics", headers={"If-None-Match": after[0].headers["etag"]})
        assert revalidated.status_code == 304


async def test_head_answers_like_get_without_a_body(anon):
    get = await anon.get("/cal/sites/pfs.ics")
    head = await anon.head("/cal/sites/pfs.ics")
    assert head.status_code == 200 and head.content == b""
    for name in ("etag", "last-modified", "content-type", "cache-control"):
        assert head.headers[name] == get.headers[name]
    assert head.headers["content-length"] == str(len(get.content))
    assert (await anon.head("/cal/sites/pfs.ics", headers={"If-None-Match": get.headers["etag"]})).status_code == 304
    assert (await anon.head("/cal/me/nope.ics")).status_code == 404


async def test_a_warm_poll_costs_only_the_version_query(anon, monkeypatch):
    await add_booking("VLG-ROOM-001", "learner1", paris(date(2026, 11, 26), 10), paris(date(2026, 11, 26), 12))
    first = await anon.get("/cal/sites/vlg.ics")
    calls = []

    async def counted_state(*args):
        calls.append("state")
        return await real_state(*args)

    async def must_not_run(*args):
        raise AssertionError("a warm hit re-read the rows")

    real_state = feeds.queries.site_state
    monkeypatch.setattr(feeds.queries, "site_state", counted_state)
    for name in ("site_rows", "closures", "record_state"):
        monkeypatch.setattr(feeds.queries, name, must_not_run)
    again = await anon.get("/cal/sites/vlg.ics")
    revalidated = await anon.get("/cal/sites/vlg.ics", headers={"If-None-Match": first.headers["etag"]})
    assert again.content == first.content and revalidated.status_code == 304
    assert calls == ["state", "state"]
