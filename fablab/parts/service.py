"""Writes of the parts domain: add and remove parts, hand them over and take them back with their
item's loan (called by the desk, fablab/desk/checkout.py and checkin.py), and the later return of a missing one.

The desk holds its item's row lock while it hands parts over or takes them back; the partial unique
index part_custody_one_holder is the last guard that a part is with one learner at a time.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from fablab.accounts import scope
from fablab.domain import codes
from fablab.platform import db
from fablab.platform.db import DB, NOW
from fablab.domain.errors import Conflict, InvalidInput, NotFound
from fablab.movements import log
from fablab.movements.tags import claim_tag, normalise_tag
from fablab.parts import queries
from fablab.tables import Part, PartCustody

# Enough for any kit a fablab lends (a laptop, its charger, mouse, bag...), few enough to tick at a desk.
MAX_PARTS_PER_ITEM = 30


class PartHeld(Conflict):
    code, title = codes.PART_HELD, "This part is held by a learner"


async def add_part(*, actor, tag: str, name: str, part_tag: str | None = None) -> dict:
    async with DB.transaction():
        resource = await queries.lock_item(normalise_tag(tag))
        scope.require_site(actor, resource["site_id"], "This item")
        if not name.strip():
            raise InvalidInput("A part needs a name.", code=codes.INVALID_INPUT)
        count = await Part.count().where(Part.resource == resource["id"], Part.removed_at.is_null())
        if count >= MAX_PARTS_PER_ITEM:
            raise InvalidInput(f"An item has {MAX_PARTS_PER_ITEM} parts at most.", code=codes.TOO_MANY_PARTS)
        if part_tag is not None:
            part_tag = normalise_tag(part_tag)
            await claim_tag(part_tag)
        try:
            rows = await Part.insert(Part(resource=resource["id"], name=name.strip(), tag=part_tag,
                                          created_at=NOW)).returning(Part.id)
        except asyncpg.UniqueViolationError:  # part_tag_ci: the tag lock makes this a last guard only
            raise Conflict(f"Tag {part_tag} is already used by another item or part.", code=codes.TAG_TAKEN) from None
        return next(part for part in await queries.parts_of(resource["id"]) if part["id"] == rows[0]["id"])


async def remove_part(*, actor, tag: str, part_id: int) -> None:
    """The part leaves its item's list (its history stays); refused while a learner holds it."""
    async with DB.transaction():
        resource = await queries.lock_item(normalise_tag(tag))
        scope.require_site(actor, resource["site_id"], "This item")
        part = next((p for p in await queries.parts_of(resource["id"]) if p["id"] == part_id), None)
        if part is None:
            raise NotFound(f"{resource['tag']} has no part {part_id}.", code=codes.UNKNOWN_PART)
        if part["state"] != "here":
            raise PartHeld(f"{part['name']} is with {part['holder']['name'] if part['holder'] else 'a learner'}: "
                           "take it back first.", part=part_id)
        await Part.update({Part.removed_at: NOW}).where(Part.id == part_id)


def _unknown(wanted: list[int], parts: list[dict], resource: dict) -> None:
    unknown = sorted(set(wanted) - {part["id"] for part in parts})
    if unknown:
        raise InvalidInput(f"{resource['tag']} has no part {', '.join(map(str, unknown))}.", code=codes.UNKNOWN_PART,
                           parts=unknown)


async def hand_over_parts(*, resource: dict, booking: dict, handed: list[int] | None, staff_id: int,
                          now: datetime) -> list[dict]:
    """At the check-out of `booking` (the row hand_over returned), inside the desk's transaction:
    the parts ticked go with the item, the others are recorded as not handed over. handed None
    (a client that does not know parts): every part at the desk goes. A part another learner still
    holds cannot go (409 part_held). Returns the item's parts as they are now."""
    parts = await queries.parts_of(resource["id"])
    if handed is not None:
        _unknown(handed, parts, resource)
        held = [part for part in parts if part["id"] in handed and part["state"] != "here"]
        if held:
            raise PartHeld(f"{held[0]['name']} did not come back from an earlier loan.",
                           parts=[part["id"] for part in held])
    going = {part["id"] for part in parts if part["state"] == "here" and (handed is None or part["id"] in handed)}
    if not parts:
        return []
    await PartCustody.insert(*[
        PartCustody(part=part["id"], booking=booking["id"], handed_over=part["id"] in going, out_at=now)
        for part in parts])
    for part in parts:
        if part["id"] not in going:
            await log.record(resource_id=resource["id"], kind="part_not_handed_over", staff_id=staff_id,
                                  site_id=resource["site_id"], booking_id=booking["id"],
                                  holder_id=booking["user_id"], part_id=part["id"], at=now)
    return await queries.parts_of(resource["id"])


async def take_back_parts(*, resource: dict, booking: dict, missing: list[int], staff_id: int,
                          now: datetime) -> list[dict]:
    """At the check-in of `booking` (the row take_back returned), inside the desk's transaction:
    the parts that went with it come back, except those named missing, which stay with its learner
    until POST /api/parts/{id}/return. Returns the missing parts."""
    parts = await queries.parts_of(resource["id"])
    _unknown(missing, parts, resource)
    lent = {part["id"]: part for part in parts if part["state"] == "lent" and part["booking"] == booking["id"]}
    not_lent = sorted(set(missing) - set(lent))
    if not_lent:
        raise InvalidInput("Only a part that went out with this loan can be missing from its return.",
                           code=codes.PART_NOT_LENT, parts=not_lent)
    if not lent:
        return []
    back = [part_id for part_id in lent if part_id not in missing]
    open_custody = (PartCustody.booking == booking["id"], PartCustody.handed_over.eq(True),
                    PartCustody.back_at.is_null())
    if back:
        await PartCustody.update({PartCustody.back_at: now}).where(*open_custody, PartCustody.part.is_in(back))
    if missing:
        await PartCustody.update({PartCustody.missing_at: now}).where(*open_custody, PartCustody.part.is_in(missing))
    for part_id in sorted(set(missing)):
        await log.record(resource_id=resource["id"], kind="part_missing", staff_id=staff_id,
                              site_id=resource["site_id"], booking_id=booking["id"], holder_id=booking["user_id"],
                              part_id=part_id)
    return [lent[part_id] for part_id in sorted(set(missing))]


# Raw: the one statement that ends a missing part's custody, and tells who held it; the WHERE makes
# two desks recording the same return give one return and one 409.
RETURN_MISSING = """
UPDATE part_custody c SET back_at = $2, back_staff_id = $3
FROM booking b
WHERE c.part_id = $1 AND c.missing_at IS NOT NULL AND c.back_at IS NULL AND b.id = c.booking_id
RETURNING c.booking_id, b.user_id
"""


async def return_part(*, actor, part_id: int, note: str = "", now: datetime) -> dict:
    """A part missing from its item's return comes back: its learner no longer holds it."""
    async with DB.transaction():
        part = await queries.require_part(part_id)
        scope.require_site(actor, part["site_id"], "This part")
        row = await db.fetchone(RETURN_MISSING, part_id, now, actor.id)
        if row is None:
            raise Conflict(f"{part['name']} is not missing: nothing to return.", code=codes.PART_NOT_MISSING)
        await log.record(resource_id=part["resource_id"], kind="part_returned", staff_id=actor.id,
                              site_id=part["site_id"], booking_id=row["booking_id"], holder_id=row["user_id"],
                              part_id=part_id, note=note)
        return next(p for p in await queries.parts_of(part["resource_id"]) if p["id"] == part_id)
