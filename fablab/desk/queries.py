"""Reads of the desk's workflows: a site's current agreement, whether a learner signed it, hand-overs."""

from __future__ import annotations

import json

from fablab.domain import codes
from fablab.platform import db
from fablab.domain.errors import NotFound

# The current version is the highest; every read of a check-out asks for it, hence raw and indexed
# (the unique (site_id, version) index serves it backwards).
CURRENT_AGREEMENT = """
SELECT a.id, a.version, a.text, a.every_loan, a.created_at, s.slug AS site
FROM loan_agreement a JOIN site s ON s.id = a.site_id
WHERE a.site_id = $1 ORDER BY a.version DESC LIMIT 1
"""


async def current_agreement(site_id: int) -> dict | None:
    return await db.fetchone(CURRENT_AGREEMENT, site_id)


SIGNED = "SELECT EXISTS (SELECT 1 FROM handover WHERE user_id = $1 AND agreement_id = $2)"


async def has_signed(user_id: int, agreement_id: int) -> bool:
    return bool(await db.fetchval(SIGNED, user_id, agreement_id))


async def must_sign(user_id: int, site_id: int) -> dict | None:
    """The agreement the learner must sign for a loan at this site now, or None: none is written, or
    they signed its current version and it is asked once per version."""
    agreement = await current_agreement(site_id)
    if agreement is None:
        return None
    if not agreement["every_loan"] and await has_signed(user_id, agreement["id"]):
        return None
    return agreement


HANDOVER = """
SELECT h.id, h.site_id, s.slug AS site, s.name AS site_name, s.timezone, h.at, h.due_at, h.agreement_version,
       h.agreement_text, h.signature_png, h.signed_hash,
       h.user_id, u.login AS user_login, u.name AS user_name, h.staff_id, st.login AS staff_login, st.name AS staff_name
FROM handover h JOIN site s ON s.id = h.site_id
LEFT JOIN app_user u ON u.id = h.user_id LEFT JOIN app_user st ON st.id = h.staff_id
WHERE h.id = $1
"""
# Each item with its loan's state: out, or back (when, in what condition, which parts did not come back).
HANDOVER_ITEMS = """
SELECT i.position, i.booking_id, i.due_at, i.parts, r.tag, r.name, b.status, b.returned_at,
       (SELECT m.condition FROM movement m WHERE m.booking_id = b.id AND m.kind = 'check_in'
         ORDER BY m.at DESC, m.id DESC LIMIT 1) AS condition,
       coalesce((SELECT jsonb_agg(jsonb_build_object('id', p.id, 'name', p.name, 'tag', p.tag) ORDER BY p.id)
                 FROM part_custody c JOIN part p ON p.id = c.part_id
                 WHERE c.booking_id = b.id AND c.missing_at IS NOT NULL), '[]') AS missing_parts
FROM handover_item i JOIN resource r ON r.id = i.resource_id JOIN booking b ON b.id = i.booking_id
WHERE i.handover_id = $1 ORDER BY i.position
"""


def _person(user_id, login, name) -> dict | None:
    return None if user_id is None else {"id": user_id, "login": login, "name": name}


async def require_handover(handover_id: int) -> dict:
    """A hand-over with its learner, staff and items (each with its return, once back)."""
    row = await db.fetchone(HANDOVER, handover_id)
    if row is None:
        raise NotFound(f"No hand-over {handover_id}.", code=codes.UNKNOWN_HANDOVER)
    row["user"] = _person(row.pop("user_id"), row.pop("user_login"), row.pop("user_name"))
    row["staff"] = _person(row.pop("staff_id"), row.pop("staff_login"), row.pop("staff_name"))
    row["items"] = [{**item, "parts": json.loads(item["parts"]), "missing_parts": json.loads(item["missing_parts"])}
                    for item in await db.fetch(HANDOVER_ITEMS, handover_id)]
    return row


# A learner's hand-overs, newest first, with the bookings they lent (for "Mes réservations").
USER_HANDOVERS = """
SELECT h.id, h.at, h.due_at, s.slug AS site, h.agreement_version, h.signature_png IS NOT NULL AS signed,
       array_agg(i.booking_id ORDER BY i.position) AS bookings
FROM handover h JOIN site s ON s.id = h.site_id JOIN handover_item i ON i.handover_id = h.id
WHERE h.user_id = $1 GROUP BY h.id, s.slug ORDER BY h.at DESC, h.id DESC LIMIT $2
"""


async def user_handovers(user_id: int, limit: int = 200) -> list[dict]:
    return await db.fetch(USER_HANDOVERS, user_id, limit)


# --- A person's data (fablab/desk/person.py declares what each statement is for) ----------------
PERSON_HANDOVERS = """
SELECT h.id, s.slug AS site, h.at, h.due_at, h.agreement_version, h.agreement_text,
       h.signature_png IS NOT NULL AS signed, h.signed_hash,
       CASE WHEN h.user_id = $1 THEN 'learner' ELSE 'staff' END AS involvement,
       (SELECT array_agg(r.tag ORDER BY i.position) FROM handover_item i JOIN resource r ON r.id = i.resource_id
        WHERE i.handover_id = h.id) AS items
FROM handover h JOIN site s ON s.id = h.site_id
WHERE h.user_id = $1 OR h.staff_id = $1 ORDER BY h.at, h.id
"""
# After the retention, a hand-over whose loans are all back forgets its people and the signature;
# the items, times, text and hash stay (counts and the custody log stay true).
RETAIN_HANDOVERS = """
UPDATE handover h SET user_id = NULL, staff_id = NULL, signature_png = NULL
WHERE h.at < $1 AND (h.user_id IS NOT NULL OR h.staff_id IS NOT NULL OR h.signature_png IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM handover_item i JOIN booking b ON b.id = i.booking_id
                  WHERE i.handover_id = h.id AND b.status = 'checked_out')
RETURNING h.id
"""
