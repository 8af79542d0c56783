"""A site's public agenda of workshops as iCalendar (issue 29): titles, times, seats left, no names.

Rendered on each request (a site holds a few dozen workshops in the window, one query): its ETag is
the bytes' digest and its Last-Modified is kept in feed_state like the other feeds', so calendar apps
revalidate with 304s."""

from __future__ import annotations

import hashlib

from fablab import clock, db
from fablab.calendars import content, queries
from fablab.calendars.feeds import FEED_NOT_FOUND, RenderedFeed
from fablab.calendars.ics import FOOTER, Event, event_bytes, header_bytes
from fablab.errors import NotFound
from fablab.sites.queries import find_site
from fablab.workshops.queries import PUBLIC_AGENDA


def workshop_event(row: dict, host: str) -> Event:
    """Nothing about a participant: the workshop, its seats left, its age range."""
    details = [row["description"]] if row["description"] else []
    if row["status"] == "scheduled":
        details.append(f"Places disponibles : {row['seats_left']} sur {row['capacity']}")
    if row["min_age"] is not None or row["max_age"] is not None:
        details.append(f"Âge : {row['min_age'] or 0} – {row['max_age'] or 'sans limite'} ans")
    if row["cancel_note"]:
        details.append(f"Annulé : {row['cancel_note']}")
    location = f"Fablab {row['site_name']}" + (f", {row['room']}" if row["room"] else "")
    return Event(uid=f"workshop-{row['id']}@{host}", stamp=row["updated_at"], summary=f"Atelier – {row['title']}",
                 start=row["starts_at"], end=row["ends_at"], created=row["created_at"],
                 sequence=1 if row["status"] == "cancelled" else 0, cancelled=row["status"] == "cancelled",
                 description="\n".join(details), location=location)


async def workshops_feed(slug: str, host: str) -> RenderedFeed:
    site = await find_site(slug)
    if site is None:
        raise NotFound(FEED_NOT_FOUND)
    window = content.Window.around(clock.now())
    rows = await db.fetch(PUBLIC_AGENDA, site["id"], window.starts_at, window.ends_at)
    header = header_bytes(f"Ateliers – Fablab {site['name']}",
                          f"Les ateliers ouverts au public du fablab de {site['name']}, avec les places disponibles.")
    events = sorted((workshop_event({**row, "site_name": site["name"]}, host) for row in rows),
                    key=lambda event: event.sort_key())
    body = header + b"".join(event_bytes(event) for event in events) + FOOTER
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    last_modified = await queries.record_state(f"workshops:{site['id']}", etag)
    return RenderedFeed(("workshops", site["id"]), body, etag, last_modified, False)
