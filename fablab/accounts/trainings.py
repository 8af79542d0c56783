"""Trainings (admin): the courses a policy may require before a learner books a kind or a unit."""

from __future__ import annotations

import asyncpg

from fablab import db
from fablab.errors import Conflict, InvalidInput


async def create_training(*, name: str, description: str) -> dict:
    name, description = name.strip(), description.strip()
    if not name:
        raise InvalidInput("The training needs a name.", code="name_required")
    try:
        return await db.fetchone(
            "INSERT INTO training (name, description) VALUES ($1, $2) RETURNING id, name, description",
            name, description)
    except asyncpg.UniqueViolationError:
        raise Conflict(f"A training is already called {name!r}.", code="training_exists") from None
