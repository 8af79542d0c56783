"""Trainings (admin): the courses a policy may require before a learner books a kind or a unit."""

from __future__ import annotations

import asyncpg

from fablab import codes
from fablab.db import NOW
from fablab.errors import Conflict, InvalidInput
from fablab.tables import Training


async def create_training(*, name: str, description: str) -> dict:
    name, description = name.strip(), description.strip()
    if not name:
        raise InvalidInput("The training needs a name.", code=codes.NAME_REQUIRED)
    try:
        rows = await Training.insert(Training(name=name, description=description, created_at=NOW)).returning(
            Training.id, Training.name, Training.description)
        return rows[0]
    except asyncpg.UniqueViolationError:
        raise Conflict(f"A training is already called {name!r}.", code=codes.TRAINING_EXISTS) from None
