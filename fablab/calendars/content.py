"""What each feed shows besides the domains' events (fablab/hooks/feed_events.py): its window, name,
closures and holidays; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import holidays

from fablab.calendars.ics import Event

DAYS_BACK = 30
DAYS_AHEAD = 180
KIND_LABELS = {"laptop": "Portables", "printer_3d": "Imprimantes 3D", "room": "Salles"}


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
    if kind == "workshop":  # /cal/sites/{slug}/workshops.ics: the site's feed, its workshops only
        return (f"Ateliers – Fablab {site['name']}",
                f"Les ateliers ouverts au public du fablab de {site['name']}, avec les places disponibles.")
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
