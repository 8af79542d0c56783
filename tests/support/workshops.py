"""Workshops for the tests and the benchmark: partners, participants and workshops made through the API
or written straight into PostgreSQL when only their number matters."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import httpx

from fablab.platform import db
from tests.support.bookings import DAY, PARIS


def at(hour: int, minute: int = 0, day=DAY) -> str:
    return datetime.combine(day, time(hour, minute), PARIS).isoformat()


async def new_partner(client: httpx.AsyncClient, name: str = "Mission Locale", site: str = "vlg",
                      kind: str = "mission_locale") -> dict:
    response = await client.post("/api/partners", json={"site": site, "name": name, "kind": kind})
    assert response.status_code == 201, response.text
    return response.json()


async def new_participant(client: httpx.AsyncClient, first_name: str = "Amina", **fields) -> dict:
    body = {"first_name": first_name, "initial": "K", "site": "vlg", "birth_year": 2007, **fields}
    response = await client.post("/api/participants", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def new_workshop(client: httpx.AsyncClient, **fields) -> dict:
    body = {"site": "vlg", "title": "Découpe vinyle", "starts_at": at(14), "ends_at": at(17), "capacity": 12,
            **fields}
    response = await client.post("/api/workshops", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def participants_in_db(count: int, *, partner_id: int | None = None, prefix: str = "Jeune") -> list[int]:
    """`count` participants at vlg written in one statement (a race needs many, not their making)."""
    rows = await db.fetch(
        "WITH u AS (INSERT INTO app_user (role, name, login, site_id, birth_year) "
        "SELECT 'participant', $1 || ' ' || n, 'participant.t' || $1 || n, (SELECT id FROM site WHERE slug = 'vlg'), "
        "2006 FROM generate_series(1, $2) n RETURNING id) "
        "INSERT INTO participant (user_id, partner_id) SELECT id, $3 FROM u RETURNING user_id",
        prefix.lower(), count, partner_id)
    return sorted(row["user_id"] for row in rows)


def hours_later(moment: str, hours: float) -> str:
    return (datetime.fromisoformat(moment) + timedelta(hours=hours)).isoformat()
