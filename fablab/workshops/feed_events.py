"""A workshop in the calendar feeds (fablab/hooks/feed_events.py): one event, its seats, never a participant."""

from __future__ import annotations

from fablab.hooks.feed_events import Event, FeedEvents

# What every audience reads of a workshop: nothing about who signed up, only how many seats are left.
COLUMNS = (
    ("w.status", "status", "text"), ("s.name", "site_name", "text"), ("w.title", "title", "text"),
    ("w.description", "description", "text"), ("w.capacity", "capacity", "integer"),
    ("GREATEST(w.capacity - w.seats_taken - w.held_free, 0)", "seats_left", "integer"),
    ("w.min_age", "min_age", "integer"), ("w.max_age", "max_age", "integer"),
    ("w.cancel_note", "cancel_note", "text"), ("rr.name", "room", "text"), ("w.created_at", "created_at", "timestamptz"),
)
SITE_AND_ROOM = ("JOIN site s ON s.id = w.site_id LEFT JOIN booking rb ON rb.id = w.room_booking_id "
                 "LEFT JOIN resource rr ON rr.id = rb.resource_id")
# A person's feed shows the workshops they hold a seat at or wait for.
# (IN, not EXISTS: the person's few sign-ups are found by their index, then their workshops.)
SIGNED_UP = ("w.id IN (SELECT g.workshop_id FROM registration g WHERE g.user_id = {user} "
             "AND g.status IN ('registered', 'waiting'))")


def _details(row: dict) -> list[str]:
    details = [row["description"]] if row["description"] else []
    if row["status"] == "scheduled":
        details.append(f"Places disponibles : {row['seats_left']} sur {row['capacity']}")
    if row["min_age"] is not None or row["max_age"] is not None:
        details.append(f"Âge : {row['min_age'] or 0} – {row['max_age'] or 'sans limite'} ans")
    if row["cancel_note"]:
        details.append(f"Annulé : {row['cancel_note']}")
    return details


def _event(row: dict, uid: str) -> Event:
    location = f"Fablab {row['site_name']}" + (f", {row['room']}" if row["room"] else "")
    return Event(uid=uid, stamp=row["updated_at"], summary=f"Atelier – {row['title']}",
                 start=row["starts_at"], end=row["ends_at"], created=row["created_at"],
                 sequence=row["sequence"], cancelled=row["status"] == "cancelled",
                 description="\n".join(_details(row)), location=location)


def public_event(row: dict, host: str) -> Event:
    """Nothing about a participant: the workshop, its seats left, its age range."""
    return _event(row, f"workshop-{row['id']}@{host}")


def own_event(row: dict, host: str) -> Event:
    """A workshop the person signed up to (its own UID: a calendar holding both feeds keeps both)."""
    return _event(row, f"workshop-{row['id']}.mine@{host}")


FEED_EVENTS = FeedEvents(
    source="workshop", table="workshop w",
    # A workshop has no sequence of its own: cancelling it is its one change a calendar must not miss.
    common={"id": "w.id", "sequence": "(w.status = 'cancelled')::int", "updated_at": "w.updated_at",
            "starts_at": "w.starts_at", "ends_at": "w.ends_at"},
    in_window="w.ends_at > $2 AND w.starts_at < $3",
    # The public feed shows the workshops open to the public (a partner's group is the desk's to fill).
    subjects={"site": lambda site: f"w.site_id = {site} AND w.audience = 'public'",
              "owner": lambda user: SIGNED_UP.format(user=user), "staff": lambda site: f"w.site_id = {site}"},
    columns={"public": COLUMNS, "owner": COLUMNS, "staff": COLUMNS},
    joins={"public": SITE_AND_ROOM, "owner": SITE_AND_ROOM, "staff": SITE_AND_ROOM},
    event={"public": public_event, "owner": own_event, "staff": public_event},
)
