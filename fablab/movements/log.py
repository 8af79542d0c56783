"""Writes to `movement`: one row per thing that happened to an item, never updated (only the person
lifecycle nulls its people: fablab/inventory/person.py declares them)."""

from __future__ import annotations

from datetime import datetime

from fablab.platform import db
from fablab.platform.db import NOW
from fablab.tables import Movement


async def record(*, resource_id: int, kind: str, staff_id: int | None, site_id: int | None = None,
                 booking_id: int | None = None, holder_id: int | None = None,
                 audit_id: int | None = None, condition: str | None = None, note: str = "",
                 at: datetime | None = None, part_id: int | None = None) -> None:
    """`at` defaults to the transaction's time; check-outs pass theirs so the log and the booking agree.
    `part_id`: the part a part_* movement is about (fablab/parts)."""
    await Movement.insert(Movement(
        resource=resource_id, kind=kind, booking=booking_id, holder=holder_id, staff=staff_id, audit=audit_id,
        site=site_id, condition=condition, note=note, at=NOW if at is None else at, part=part_id,
    ))


def check_out_from(rows: str, *, staff: str, note: str, at: str) -> str:
    """SQL: log the check-out of each booking row of the CTE `rows`, within the statement that made
    it a loan (the desk's hot path: one round trip). staff, note, at: the statement's parameters."""
    return (f"INSERT INTO movement (resource_id, kind, booking_id, holder_id, staff_id, site_id, note, at) "
            f"SELECT resource_id, 'check_out', id, user_id, {staff}, site_id, {note}, {at} FROM {rows}")


def check_in_from(rows: str, *, staff: str, condition: str, note: str) -> str:
    """SQL: log the return of each booking row of the CTE `rows`, within the statement that ended the loan."""
    return (f"INSERT INTO movement (resource_id, kind, booking_id, holder_id, staff_id, site_id, condition, note) "
            f"SELECT resource_id, 'check_in', id, user_id, {staff}, site_id, {condition}, {note} FROM {rows}")


# Raw: the partial unique index movement_audit_seen_once counts an item once per count, which
# Piccolo's on_conflict cannot name (it has no WHERE for the index's predicate).
RECORD_SEEN = """
INSERT INTO movement (resource_id, kind, staff_id, audit_id, site_id) VALUES ($1, 'audit_seen', $2, $3, $4)
ON CONFLICT (audit_id, resource_id) WHERE kind = 'audit_seen' DO NOTHING RETURNING id
"""


async def record_seen(*, resource_id: int, staff_id: int, audit_id: int, site_id: int) -> int | None:
    """The item seen in a count; None when this count had already seen it."""
    return await db.fetchval(RECORD_SEEN, resource_id, staff_id, audit_id, site_id)
