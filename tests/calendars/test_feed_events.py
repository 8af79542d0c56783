"""The feeds' events come from the domains' FEED_EVENTS (fablab/hooks/feed_events.py): a workshop is one
event of its site's feed, with its seats and no names, and one of each of its people's feeds."""

import ast

import icalendar

from fablab.hooks import feed_events
from fablab.platform import db
from fablab.calendars import feeds
from fablab.routes_registry import DOMAINS
from tests.support.paths import ROOT
from tests.support.workshops import new_workshop


def events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def workshop_events(body: bytes, workshop_id: int) -> list[icalendar.Event]:
    return [event for uid, event in events(body).items() if uid.startswith(f"workshop-{workshop_id}")]


async def test_the_site_feed_shows_a_workshop_as_one_event_with_its_seats_and_no_names(staff, learner, anon):
    feeds.CACHE.clear()
    workshop = await new_workshop(staff, capacity=4, title="Découpe vinyle")
    await new_workshop(staff, title="Groupe du partenaire", audience="referral")
    signed = await learner.post(f"/api/workshops/{workshop['id']}/registrations", json={})
    assert signed.status_code == 201, signed.text
    feed = await anon.get("/cal/sites/vlg.ics")
    assert feed.status_code == 200
    [event] = workshop_events(feed.content, workshop["id"])
    assert str(event["SUMMARY"]) == "Atelier – Découpe vinyle"
    assert "Places disponibles : 3 sur 4" in str(event["DESCRIPTION"])
    text = feed.content.decode().replace("\r\n ", "")
    learner_row = await db.fetchone("SELECT name, login FROM app_user WHERE login = 'learner1'")
    assert learner_row["name"] not in text and learner_row["login"] not in text
    assert "Groupe du partenaire" not in text, "a partner's group is not on the public calendar"
    # Filtered by a kind of unit, the feed shows bookings only.
    rooms = await anon.get("/cal/sites/vlg.ics", params={"kind": "room"})
    assert workshop_events(rooms.content, workshop["id"]) == []
    # A seat taken since: the cached feed follows (the workshop's row is part of the feed's version).
    await staff.post(f"/api/workshops/{workshop['id']}/registrations",
                     json={"participant": await db.fetchval("SELECT id FROM app_user WHERE login = 'learner2'")})
    again = await anon.get("/cal/sites/vlg.ics", headers={"If-None-Match": feed.headers["etag"]})
    assert again.status_code == 200 and again.headers["etag"] != feed.headers["etag"]
    [event] = workshop_events(again.content, workshop["id"])
    assert "Places disponibles : 2 sur 4" in str(event["DESCRIPTION"])
    assert (await anon.get("/cal/sites/vlg.ics", headers={"If-None-Match": again.headers["etag"]})).status_code == 304


async def test_a_persons_feed_carries_the_workshops_they_signed_up_to(staff, learner, anon):
    feeds.CACHE.clear()
    mine = await new_workshop(staff, capacity=4, title="Soudure")
    other = await new_workshop(staff, capacity=4, title="Couture")
    signed = await learner.post(f"/api/workshops/{mine['id']}/registrations", json={})
    link = (await learner.post("/api/me/feed-token")).json()["https"]
    path = link.split("://", 1)[1].split("/", 1)[1]
    feed = await anon.get("/" + path)
    assert feed.status_code == 200
    [event] = workshop_events(feed.content, mine["id"])
    assert str(event["UID"]).startswith(f"workshop-{mine['id']}.mine@")
    assert str(event["SUMMARY"]) == "Atelier – Soudure"
    assert workshop_events(feed.content, other["id"]) == []
    # Cancelled, the sign-up leaves the person's feed.
    cancelled = await learner.delete(f"/api/workshops/{mine['id']}/registrations/{signed.json()['id']}")
    assert cancelled.status_code in (200, 204), cancelled.text
    assert workshop_events((await anon.get("/" + path)).content, mine["id"]) == []


def test_every_domain_declaring_feed_events_is_registered_and_serves_known_feeds():
    declared = {events.source for domain in DOMAINS for events in getattr(domain, "FEED_EVENTS", ())}
    assert declared == set(feed_events.signature()) == {"booking", "workshop"}
    for source in declared:
        contribution = feed_events._contributions[source]
        assert set(contribution.subjects) <= set(feed_events.FEEDS)
        audiences = {feed_events.AUDIENCE[feed] for feed in contribution.subjects}
        assert audiences <= set(contribution.columns) & set(contribution.event) & set(contribution.joins)


# The calendars read the domains' events only through fablab/hooks/feed_events.py: none of their tables
# is named in the calendars' SQL, and no domain that contributes events is imported.
EVENT_TABLES = ("booking", "workshop", "registration")


def test_the_calendars_name_no_domains_events_table_nor_import_its_package():
    for path in sorted((ROOT / "fablab" / "calendars").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("fablab.bookings", "fablab.workshops")), (path, node.module)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = node.value.lower().split()
                for before, table in zip(words, words[1:]):
                    assert not (before in ("from", "join") and table in EVENT_TABLES), (path.name, node.value[:80])
