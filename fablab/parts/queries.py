"""Reads of the parts domain: an item's parts and where each one is, the parts still missing."""

from __future__ import annotations

from fablab.domain import codes
from fablab.platform import db
from fablab.domain.errors import NotFound
from fablab.tables import Part, PartCustody

# Raw: the tag page's read (a hot path), one LEFT JOIN on the open custody, the very predicate of
# the partial unique index part_custody_one_holder (at most one row per part), which Piccolo's
# joins (along foreign keys only) cannot say.
PARTS_OF_ITEM = """
SELECT p.id, p.name, p.tag, c.booking_id, c.out_at, c.missing_at, b.user_id, u.login, u.name AS user_name
FROM part p
LEFT JOIN part_custody c ON c.part_id = p.id AND c.handed_over AND c.back_at IS NULL
LEFT JOIN booking b ON b.id = c.booking_id
LEFT JOIN app_user u ON u.id = b.user_id
WHERE p.resource_id = $1 AND p.removed_at IS NULL
ORDER BY p.id
"""


def _person(user_id, login, name) -> dict | None:
    return None if user_id is None else {"id": user_id, "login": login, "name": name}


def _part(row: dict) -> dict:
    state = "here" if row["booking_id"] is None else "missing" if row["missing_at"] else "lent"
    return {"id": row["id"], "name": row["name"], "tag": row["tag"], "state": state,
            "holder": _person(row["user_id"], row["login"], row["user_name"]),
            "since": row["missing_at"] or row["out_at"], "booking": row["booking_id"]}


async def parts_of(resource_id: int) -> list[dict]:
    """The item's parts in the order they were added, each with its state (here, lent, missing)
    and, when out, its holder, since when and the loan it went with."""
    return [_part(row) for row in await db.fetch(PARTS_OF_ITEM, resource_id)]


def as_seen_by(parts: list[dict], *, desk: bool) -> list[dict]:
    """What a viewer may read: holders and loans are personal data, for the item's site's staff."""
    if desk:
        return parts
    return [{**part, "holder": None, "since": None, "booking": None} for part in parts]


# Parts with a label of their own (the tag namespace items share), with their item: what a label
# sheet prints for them, and where a part's QR leads (its item's page).
LABELLED_PARTS = """
SELECT p.tag, p.name, r.tag AS resource, r.name AS resource_name, s.name AS site_name
FROM part p JOIN resource r ON r.id = p.resource_id JOIN site s ON s.id = r.site_id
WHERE upper(p.tag) = ANY($1::text[]) AND p.removed_at IS NULL
"""


async def labelled_parts(tags: list[str]) -> dict[str, dict]:
    """The parts bearing these tags (already normalised), by tag."""
    return {row["tag"].upper(): row for row in await db.fetch(LABELLED_PARTS, [tag.upper() for tag in tags])}


async def require_part(part_id: int) -> dict:
    """A part still on its item, with the item's id, tag and site."""
    part = await Part.select(
        Part.id, Part.name, Part.tag, Part.resource.as_alias("resource_id"), Part.resource.tag.as_alias("resource"),
        Part.resource.site.as_alias("site_id"),
    ).where(Part.id == part_id, Part.removed_at.is_null()).first()
    if part is None:
        raise NotFound(f"No part {part_id}.", code=codes.UNKNOWN_PART)
    return part


async def missing_parts(*, site_ids: list[int] | None = None, user_id: int | None = None) -> list[dict]:
    """Parts that did not come back with their item, oldest first: at these sites (None: every
    site), or held by this learner."""
    if site_ids is not None and not site_ids:
        return []
    conditions = [PartCustody.missing_at.is_not_null(), PartCustody.back_at.is_null()]
    if site_ids is not None:
        conditions.append(PartCustody.part.resource.site.is_in(site_ids))
    if user_id is not None:
        conditions.append(PartCustody.booking.user == user_id)
    rows = await PartCustody.select(
        PartCustody.part.id.as_alias("id"), PartCustody.part.name.as_alias("name"),
        PartCustody.part.tag.as_alias("tag"), PartCustody.part.resource.tag.as_alias("resource"),
        PartCustody.part.resource.name.as_alias("resource_name"),
        PartCustody.part.resource.site.slug.as_alias("site"), PartCustody.booking.as_alias("booking"),
        PartCustody.booking.user.as_alias("user_id"), PartCustody.booking.user.login.as_alias("login"),
        PartCustody.booking.user.name.as_alias("user_name"), PartCustody.missing_at.as_alias("missing_since"),
    ).where(*conditions).order_by(PartCustody.missing_at).order_by(PartCustody.id)
    for row in rows:
        row["holder"] = _person(row.pop("user_id"), row.pop("login"), row.pop("user_name"))
    return rows

# --- A person's data (fablab/parts/person.py declares what each statement is for) ---------------
# The learner is the holder through their booking; staff through taking a part back.
PERSON_PART_CUSTODY = """
SELECT p.name AS part, p.tag, r.tag AS resource, c.booking_id, c.handed_over, c.out_at, c.missing_at, c.back_at,
       CASE WHEN b.user_id = $1 THEN 'holder' ELSE 'staff' END AS involvement
FROM part_custody c JOIN part p ON p.id = c.part_id JOIN resource r ON r.id = p.resource_id
JOIN booking b ON b.id = c.booking_id
WHERE b.user_id = $1 OR c.back_staff_id = $1 ORDER BY c.out_at, c.id
"""
PERSON_HOLDS_PARTS = """
SELECT count(*) FROM part_custody c JOIN booking b ON b.id = c.booking_id
WHERE b.user_id = $1 AND c.handed_over AND c.back_at IS NULL
"""
RETAIN_PART_CUSTODY = """
UPDATE part_custody SET back_staff_id = NULL WHERE back_at < $1 AND back_staff_id IS NOT NULL RETURNING id
"""

# Raw: the item whose parts change, row-locked as the desk locks it (NO KEY UPDATE, see
# inventory.queries.resource_by_tag), so adding or removing a part waits for a hand-over of that item.
LOCK_ITEM = "SELECT id, site_id, tag FROM resource WHERE upper(tag) = $1 FOR NO KEY UPDATE"


async def lock_item(tag: str) -> dict:
    """The item (id, site_id, tag) of the normalised `tag`, row-locked; 404 unknown_tag."""
    item = await db.fetchone(LOCK_ITEM, tag)
    if item is None:
        raise NotFound(f"No item with tag {tag}.", code=codes.UNKNOWN_TAG)
    return item
