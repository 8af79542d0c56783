"""The database's own guarantees for workshops (migrations/schema_0021_workshops.sql): whatever the
service does, a workshop never holds more seats than its capacity, nor a partner's hold more than
its seats, and a person has one active sign-up per workshop."""

from __future__ import annotations

import asyncpg
import pytest

from fablab.platform import db

pytestmark = pytest.mark.pg_engine


@pytest.fixture
async def workshop(demo):
    site_id = demo["sites"]["vlg"]["id"]
    return await db.fetchval(
        "INSERT INTO workshop (site_id, title, starts_at, ends_at, capacity) "
        "VALUES ($1, 'Découpe vinyle', now() + interval '2 days', now() + interval '2 days 3 hours', 2) RETURNING id",
        site_id)


async def take_seat(workshop_id: int) -> None:
    await db.fetch("UPDATE workshop SET seats_taken = seats_taken + 1 WHERE id = $1", workshop_id)


async def test_seats_never_exceed_the_capacity_even_with_seats_held(workshop):
    await db.fetch("UPDATE workshop SET held_free = 1 WHERE id = $1", workshop)
    await take_seat(workshop)
    with pytest.raises(asyncpg.CheckViolationError):
        await take_seat(workshop)  # the last seat is held for a partner
    with pytest.raises(asyncpg.CheckViolationError):
        await db.fetch("UPDATE workshop SET capacity = 1 WHERE id = $1", workshop)  # below what is taken
    assert await db.fetchval("SELECT seats_taken FROM workshop WHERE id = $1", workshop) == 1


async def test_a_person_signs_up_once_per_workshop(workshop, demo):
    learner = demo["learners"]["vlg"][0]
    insert = "INSERT INTO registration (workshop_id, user_id, status) VALUES ($1, $2, 'waiting')"
    await db.fetch(insert, workshop, learner)
    with pytest.raises(asyncpg.UniqueViolationError):
        await db.fetch(insert, workshop, learner)


async def test_participants_and_visitors_never_get_a_password(demo):
    site_id = demo["sites"]["vlg"]["id"]
    with pytest.raises(asyncpg.CheckViolationError):
        await db.fetch("INSERT INTO app_user (role, name, login, site_id, password_hash) "
                       "VALUES ('visitor', 'Inès B.', 'visiteur-1', $1, 'x')", site_id)
