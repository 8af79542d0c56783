"""What each feed shows, from database rows to calendar events, per audience; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from fablab.calendars.ics import Event

DAYS_BACK = 30
DAYS_AHEAD = 180
KIND_LABELS = {"laptop": "Portables", "printer_3d": "Imprimantes 3D", "room": "Salles"}
# Statuses shown as cancelled; they stay in feeds while their change is within the window.
CANCELLED_STATUSES = ("cancelled", "no_show")
DAY_NAMES_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")


@dataclass(frozen=True)
class Window:
    """The span a feed covers. Whole UTC days, so every request of one day agrees on it."""

    first_day: date
    end_day: date  # exclusive

    @classmethod
    def around(cls, now: datetime) -> Window:
        today = now.astimezone(timezone.utc).date()
        return cls(today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD + 1))

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first_day, time(0), timezone.utc)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.end_day, time(0), timezone.utc)


def local_label(moment: datetime, tz_name: str) -> str:
    """e.g. "mardi 2 mars 2027 à 18:00", in the site's time, for people reading a description."""
    local = moment.astimezone(ZoneInfo(tz_name))
    day = "1er" if local.day == 1 else str(local.day)
    return (f"{DAY_NAMES_FR[local.weekday()]} {day} {MONTHS_FR[local.month - 1]} {local.year} "
            f"à {local.hour:02d}:{local.minute:02d}")


def _location(row: dict) -> str:
    address = row.get("site_address") or ""
    return f"Fablab {row['site_name']}" + (f", {address}" if address else "")


def _cancelled(row: dict) -> bool:
    return row["status"] in CANCELLED_STATUSES


def _series(row: dict, host: str) -> str:
    return f"series-{row['series_id']}@{host}" if row.get("series_id") else ""


def public_event(row: dict, host: str) -> Event:
    """Anonymised: the row given here never carries the holder, and nothing of them is written."""
    return Event(
        uid=f"booking-{row['id']}.public@{host}", stamp=row["updated_at"],
        summary=f"Réservé – {row['resource_name']}", start=row["starts_at"], end=row["ends_at"],
        sequence=row["sequence"], cancelled=_cancelled(row), location=_location(row),
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
        location=_location(row), related_to=_series(row, host),
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
        location=_location(row), transparent=True, related_to=_series(row, host),
    )


def closure_event(row: dict, host: str) -> Event:
    where = "tous les sites" if row["site_id"] is None else row["site_name"]
    reason = row["reason"] or "Fermeture"
    return Event(
        uid=f"closure-{row['id']}@{host}", stamp=row["updated_at"],
        summary=f"Fermé – {reason}", start=row["starts_on"], end=row["ends_on"] + timedelta(days=1),
        description=f"Fablab fermé ({where}) : {reason}", transparent=True,
    )


@lru_cache(maxsize=16)
def _french_holidays(year: int) -> tuple[tuple[date, str], ...]:
    return tuple(sorted(holidays.France(years=year, language="fr").items()))


def holiday_events(window: Window, host: str) -> list[Event]:
    """French public holidays, closures by default (docs/ARCHITECTURE.md, Domain model)."""
    events = []
    for year in range(window.first_day.year, window.end_day.year + 1):
        for day, name in _french_holidays(year):
            if window.first_day <= day < window.end_day:
                events.append(Event(
                    uid=f"holiday-{day.isoformat()}@{host}",
                    # A fixed stamp keeps the bytes stable; the holiday itself never changes.
                    stamp=datetime.combine(date(day.year, 1, 1), time(0), timezone.utc),
                    summary=f"Fermé – {name}", start=day, end=day + timedelta(days=1),
                    description=f"Jour férié : {name}", transparent=True,
                ))
    return events


def site_events(closures: list[dict], window: Window, host: str) -> list[Event]:
    return [closure_event(row, host) for row in closures] + holiday_events(window, host)


# Each feed's name and description (feeds.py writes them above the events).


def site_header(site: dict, kind: str | None) -> tuple[str, str]:
    label = f" – {KIND_LABELS[kind]}" if kind else ""
    return (f"Fablab {site['name']}{label}",
            f"Réservations du fablab {site['name']}{label.lower()} (sans données personnelles).")


def resource_header(resource: dict) -> tuple[str, str]:
    return (f"{resource['name']} ({resource['tag']}) – Fablab {resource['site_name']}",
            f"Réservations de {resource['name']} ({resource['tag']}), sans données personnelles.")


def owner_header(owner: dict) -> tuple[str, str]:
    home = owner.get("site_id") is not None
    return ("Mes réservations – Fablab",
            "Mes réservations au fablab" + (f" ({owner['site_name']})" if home else "") + ".")


def staff_header(site: dict) -> tuple[str, str]:
    return (f"Fablab {site['name']} – équipe",
            f"Réservations du fablab {site['name']} avec les personnes (usage interne).")
