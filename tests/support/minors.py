"""Minors for the tests (issue 30): a demo learner made a given age, a site's consent text, a guardian,
and a consent signed on screen (strokes, as the signature pad sends them) or recorded from paper."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from fablab.platform import db

# A signature as the pad sends it: strokes of [x, y] points in its 600 × 240 box.
STROKES = [[[20, 200], [120, 40], [220, 190], [330, 50], [450, 180], [580, 60]], [[60, 120], [540, 130]]]
CONSENT_TEXT = "J’autorise mon enfant à participer aux activités du fablab, encadrées par l’équipe."


async def make_age(login: str, years: int, on: date) -> int:
    """The learner's birth date set so that they are `years` old on `on`, and from 60 days before it."""
    birthday = on.replace(day=28) if (on.month, on.day) == (2, 29) else on
    birth = birthday.replace(year=on.year - years) - timedelta(days=60)
    return await db.fetchval("UPDATE app_user SET birth_date = $2, birth_year = $3 WHERE login = $1 RETURNING id",
                             login, birth, birth.year)


async def consent_text(admin: httpx.AsyncClient, site: str = "vlg", text: str = CONSENT_TEXT) -> dict:
    response = await admin.put(f"/api/sites/{site}/consent-text", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()


async def add_guardian(staff: httpx.AsyncClient, person_id: int, **fields) -> dict:
    body = {"name": "Samira Benali", "relation": "mère", "phone": "06 12 34 56 78", **fields}
    response = await staff.post(f"/api/users/{person_id}/guardians", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def sign(staff: httpx.AsyncClient, person_id: int, guardian_id: int, version: int, **fields) -> dict:
    body = {"covers": ["participation"], "guardian": guardian_id, "signature": {"strokes": STROKES},
            "text_version": version, **fields}
    response = await staff.post(f"/api/users/{person_id}/consents", json=body)
    assert response.status_code == 201, response.text
    return response.json()
