"""A booking in the calendar feeds (fablab/hooks/feed_events.py): its rows and its events, per audience; no I/O."""

from __future__ import annotations

from fablab.hooks.feed_events import Event, FeedEvents, local_label, location

# Statuses shown as cancelled; they stay in feeds while their change is within the window.
CANCELLED_STATUSES = ("cancelled", "no_show")

# A booking is in a feed when it overlaps the window; cancelled and no-show ones only while their
# change is recent (30 days: the window's start).
IN_WINDOW = """
    b.ends_at > $2 AND b.starts_at < $3
    AND (b.status IN ('confirmed', 'checked_out', 'returned')
         OR coalesce(b.cancelled_at, b.no_show_at, b.updated_at) >= $2)
"""
# Public feeds select no user column and no purpose at all: nothing personal can leak into them.
PUBLIC_COLUMNS = (
    ("b.kind", "kind", "text"), ("b.status", "status", "text"), ("r.name", "resource_name", "text"),
    ("r.tag", "tag", "text"), ("s.name", "site_name", "text"), ("s.address", "site_address", "text"),
    ("s.timezone", "timezone", "text"), ("b.series_id", "series_id", "bigint"),
)
DETAIL_COLUMNS = PUBLIC_COLUMNS + (
    ("b.created_at", "created_at", "timestamptz"), ("b.purpose", "purpose", "text"),
    ("b.checked_out_at", "checked_out_at", "timestamptz"), ("b.returned_at", "returned_at", "timestamptz"),
    ("b.cancelled_at", "cancelled_at", "timestamptz"), ("b.no_show_at", "no_show_at", "timestamptz"),
)
STAFF_COLUMNS = DETAIL_COLUMNS + (("u.name", "holder_name", "text"), ("u.login", "holder_login", "text"))
UNIT_AND_SITE = "JOIN resource r ON r.id = b.resource_id JOIN site s ON s.id = b.site_id"


def _cancelled(row: dict) -> bool:
    return row["status"] in CANCELLED_STATUSES


def _series(row: dict, host: str) -> str:
    return f"series-{row['series_id']}@{host}" if row.get("series_id") else ""


def public_event(row: dict, host: str) -> Event:
    """Anonymised: the row given here never carries the holder, and nothing of them is written."""
    return Event(
        uid=f"booking-{row['id']}.public@{host}", stamp=row["updated_at"],
        summary=f"Réservé – {row['resource_name']}", start=row["starts_at"], end=row["ends_at"],
        sequence=row["sequence"], cancelled=_cancelled(row), location=location(row),
        # Someone else's booking must not mark the subscriber as busy.
        transparent=True, related_to=_series(row, host),
    )


def _status_lines(row: dict, tz_name: str) -> list[str]:
    lines = []
    if row["status"] == "cancelled":
        lines.append("Réservation annulée.")
    elif row["status"] == "no_show":
        lines.append("Réservation libérée : non récupérée à temps.")
    if row.get("checked_out_at"):
        lines.append(f"Remis le {local_label(row['checked_out_at'], tz_name)}")
    if row.get("returned_at"):
        lines.append(f"Rendu le {local_label(row['returned_at'], tz_name)}")
    return lines


def _details(row: dict, tz_name: str) -> list[str]:
    lines = [f"Ressource : {row['resource_name']} ({row['tag']})", f"Site : {row['site_name']}"]
    if row["purpose"]:
        lines.append(f"Objet : {row['purpose']}")
    if row["kind"] != "room":
        # Loans (laptops) and prints: what matters is when the item is due back or done.
        lines.append(f"À rendre le {local_label(row['ends_at'], tz_name)}" if row["kind"] == "laptop"
                     else f"Fin prévue le {local_label(row['ends_at'], tz_name)}")
    return lines


def owner_event(row: dict, host: str) -> Event:
    """The learner's own booking, with its details."""
    tz_name = row["timezone"]
    prefix = "Prêt" if row["kind"] == "laptop" else "Réservation"
    return Event(
        uid=f"booking-{row['id']}@{host}", stamp=row["updated_at"],
        summary=f"{prefix} – {row['resource_name']}", start=row["starts_at"], end=row["ends_at"],
        sequence=row["sequence"], cancelled=_cancelled(row), created=row["created_at"],
        description="\n".join(_details(row, tz_name) + _status_lines(row, tz_name)),
        location=location(row), related_to=_series(row, host),
    )


def staff_event(row: dict, host: str) -> Event:
    """A site's booking for the desk: who holds what."""
    tz_name = row["timezone"]
    holder = row.get("holder_name")
    who = f"{holder} ({row['holder_login']})" if holder else "(personne anonymisée)"
    return Event(
        uid=f"booking-{row['id']}.staff@{host}", stamp=row["updated_at"],
        summary=f"{row['resource_name']} – {holder or 'Réservé'}", start=row["starts_at"],
        end=row["ends_at"], sequence=row["sequence"], cancelled=_cancelled(row), created=row["created_at"],
        description="\n".join([f"Apprenant·e : {who}", *_details(row, tz_name), *_status_lines(row, tz_name)]),
        location=location(row), transparent=True, related_to=_series(row, host),
    )


# The booking_updated index (site_id, updated_at) finds a site's changes; a resource's or a user's
# bookings are few enough to filter.
FEED_EVENTS = FeedEvents(
    source="booking", table="booking b",
    common={"id": "b.id", "sequence": "b.sequence", "updated_at": "b.updated_at", "starts_at": "b.starts_at",
            "ends_at": "b.ends_at"},
    in_window=IN_WINDOW,
    subjects={"site": lambda site: f"b.site_id = {site}", "resource": lambda unit: f"b.resource_id = {unit}",
              "owner": lambda user: f"b.user_id = {user}", "staff": lambda site: f"b.site_id = {site}"},
    columns={"public": PUBLIC_COLUMNS, "owner": DETAIL_COLUMNS, "staff": STAFF_COLUMNS},
    joins={"public": UNIT_AND_SITE, "owner": UNIT_AND_SITE,
           "staff": UNIT_AND_SITE + " LEFT JOIN app_user u ON u.id = b.user_id"},
    event={"public": public_event, "owner": owner_event, "staff": staff_event},
    kind="b.kind",
)
