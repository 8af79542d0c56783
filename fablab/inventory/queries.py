"""Reads of the inventory domain: resources, holders, open check-outs, movements."""

from __future__ import annotations

import functools
import json
from datetime import datetime

from fablab.domain import codes
from fablab.hooks import unit_gates
from fablab.platform import db
from fablab.accounts.logins import fold
# The booking's columns and its one API shape belong to the bookings package; the desk reads them too.
from fablab.bookings.queries import BOOKING_COLUMNS, BOOKING_FROM, booking_out
from fablab.domain.errors import NotFound
from fablab.tables import Resource

# Raw: the desk's item read (and its row lock below) is a hot path; upper(tag) serves resource_tag_ci.
RESOURCE_COLUMNS = """
    r.id, r.tag, r.name, r.kind, r.site_id, s.slug AS site, s.name AS site_name, s.timezone,
    r.status, r.details::text AS details, r.notes, r.created_at, r.updated_at
"""
RESOURCE_FROM = "FROM resource r JOIN site s ON s.id = r.site_id"

# Raw: an advisory lock, held to the commit, serialising tag generation per (site, kind).
TAG_GENERATION_LOCK = "SELECT pg_advisory_xact_lock(hashtext($1))"


def _resource(row: dict | None) -> dict | None:
    if row is not None and isinstance(row.get("details"), str):
        row["details"] = json.loads(row["details"])
    return row


async def list_resources(*, site: str | None = None, kind: str | None = None, status: str | None = None,
                         q: str | None = None, tags: list[str] | None = None, limit: int = 1000,
                         site_ids: list[int] | None = None, notes_of_sites: list[int] | None = None) -> list[dict]:
    """site_ids: only these sites. notes_of_sites: q searches the notes of these sites' items only
    (the notes are staff's; None: every site's)."""
    # IN () is no SQL: an empty list of sites or tags matches nothing.
    if (site_ids is not None and not site_ids) or (tags is not None and not tags):
        return []
    conditions = []
    if site:
        conditions.append(Resource.site.slug == site.lower())
    if site_ids is not None:
        conditions.append(Resource.site.is_in(site_ids))
    if kind:
        conditions.append(Resource.kind == kind)
    if status:
        conditions.append(Resource.status == status)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        notes = Resource.notes.ilike(pattern)
        if notes_of_sites is not None:
            notes = (notes & Resource.site.is_in(notes_of_sites)) if notes_of_sites else None
        matches = Resource.name.ilike(pattern) | Resource.tag.ilike(pattern)
        conditions.append(matches if notes is None else matches | notes)
    if tags is not None:
        conditions.append(Resource.tag.is_in(tags))
    rows = await Resource.select(
        Resource.id, Resource.tag, Resource.name, Resource.kind, Resource.site.as_alias("site_id"),
        Resource.site.slug.as_alias("site"), Resource.site.name.as_alias("site_name"),
        Resource.site.timezone.as_alias("timezone"), Resource.status, Resource.details, Resource.notes,
        Resource.created_at, Resource.updated_at,
    ).where(*conditions).order_by(Resource.site.slug, Resource.kind, Resource.tag).limit(limit)
    return [_resource(row) for row in rows]


async def resource_by_tag(tag: str, *, for_update: bool = False) -> dict | None:
    """`tag` already normalised; the row lock serialises check-outs, check-ins and status changes of
    one item. NO KEY UPDATE, not UPDATE: it must not block the foreign-key checks of a booking
    inserted for this item meanwhile (KEY SHARE), or a booking and a check-out deadlock."""
    lock = "FOR NO KEY UPDATE OF r" if for_update else ""
    row = await db.fetchone(f"SELECT {RESOURCE_COLUMNS} {RESOURCE_FROM} WHERE upper(r.tag) = $1 {lock}", tag)
    return _resource(row)


async def require_resource(tag: str, *, for_update: bool = False) -> dict:
    resource = await resource_by_tag(tag, for_update=for_update)
    if resource is None:
        raise NotFound(f"No item with tag {tag}.", code=codes.UNKNOWN_TAG)
    return resource


def user_out(user_id, login, name) -> dict | None:
    return None if user_id is None else {"id": user_id, "login": login, "name": name}


# The item row-locked (as resource_by_tag(for_update=True)) with its open check-out, in one round
# trip, and whether a unit gate (fablab/hooks/unit_gates.py) may refuse lending it. The check-out part is
# read in the statement's snapshot: after waiting for another desk's lock it may be stale, so the
# writes that follow re-check the booking's status in their WHERE.
_LOCKED_WITH_OPEN_CHECKOUT = """
SELECT {RESOURCE_COLUMNS}, o.id AS open_id,
       EXISTS (SELECT 1 FROM part p WHERE p.resource_id = r.id AND p.removed_at IS NULL) AS has_parts,
       {gates} AS gates_may_refuse
{RESOURCE_FROM}
LEFT JOIN LATERAL (SELECT b.id FROM booking b WHERE b.resource_id = r.id AND b.status = 'checked_out') o ON true
WHERE upper(r.tag) = $1
FOR NO KEY UPDATE OF r
"""


@functools.lru_cache(maxsize=4)
def _locked_with_open_checkout_sql(gates: tuple[str, ...]) -> str:
    # Built on first use, once the gates are registered (their names are the cache key).
    return _LOCKED_WITH_OPEN_CHECKOUT.format(RESOURCE_COLUMNS=RESOURCE_COLUMNS, RESOURCE_FROM=RESOURCE_FROM,
                                             gates=unit_gates.may_refuse_sql("r"))


async def lock_with_open_checkout(tag: str) -> tuple[dict, int | None]:
    """(the item, the id of its open check-out or None); 404 unknown_tag. `tag` already normalised.
    The item says whether it has parts (`has_parts`): the desk skips them without a round trip."""
    row = _resource(await db.fetchone(_locked_with_open_checkout_sql(unit_gates.signature()), tag))
    if row is None:
        raise NotFound(f"No item with tag {tag}.", code=codes.UNKNOWN_TAG)
    return row, row.pop("open_id")


async def open_checkout(resource_id: int) -> dict | None:
    return await db.fetchone(
        f"SELECT {BOOKING_COLUMNS} {BOOKING_FROM} WHERE b.resource_id = $1 AND b.status = 'checked_out'",
        resource_id,
    )


async def next_booking(resource_id: int, now: datetime, *, user_id: int | None = None) -> dict | None:
    """The confirmed booking running now or next (the predicate repeats the exclusion index's)."""
    user_filter = "AND b.user_id = $3" if user_id is not None else ""
    args = [resource_id, now] + ([user_id] if user_id is not None else [])
    return await db.fetchone(
        f"SELECT {BOOKING_COLUMNS} {BOOKING_FROM} WHERE b.resource_id = $1 "
        f"AND b.status IN ('confirmed', 'checked_out') AND b.ends_at > $2 {user_filter} "
        "ORDER BY b.starts_at LIMIT 1",
        *args,
    )


async def list_checkouts(*, now: datetime, user_id: int | None = None, site_ids: list[int] | None = None,
                         kind: str | None = None, overdue: bool | None = None) -> list[dict]:
    """site_ids None: every site."""
    filters = db.Filters("b.status = 'checked_out'").given(
        ("b.user_id = {}", user_id), ("b.site_id = ANY({}::int[])", site_ids), ("b.kind = {}", kind or None),
        ("b.ends_at < {}", now if overdue is True else None), ("b.ends_at >= {}", now if overdue is False else None))
    rows = await db.fetch(f"SELECT {BOOKING_COLUMNS} {BOOKING_FROM} {filters.where()} ORDER BY b.ends_at, b.id",
                          *filters.args)
    return [booking_out(row, now) for row in rows]


async def list_movements(*, resource_id: int | None = None, user_id: int | None = None,
                         site_ids: list[int] | None = None,
                         kind: str | None = None, audit_id: int | None = None, since: datetime | None = None,
                         until: datetime | None = None, limit: int = 500) -> list[dict]:
    filters = db.Filters().given(
        ("m.resource_id = {}", resource_id), ("m.holder_id = {}", user_id),
        ("coalesce(m.site_id, r.site_id) = ANY({}::int[])", site_ids),  # site_ids None: every site
        ("m.kind = {}", kind or None), ("m.audit_id = {}", audit_id), ("m.at >= {}", since), ("m.at < {}", until))
    rows = await db.fetch(
        "SELECT m.id, m.kind, m.at, r.tag AS resource, r.name AS resource_name, coalesce(ms.slug, rs.slug) AS site, "
        "m.booking_id AS booking, m.audit_id AS audit, m.condition, m.note, "
        "m.holder_id, h.login AS holder_login, h.name AS holder_name, "
        "m.staff_id, st.login AS staff_login, st.name AS staff_name, m.part_id, p.name AS part_name, "
        "p.tag AS part_tag "
        "FROM movement m JOIN resource r ON r.id = m.resource_id JOIN site rs ON rs.id = r.site_id "
        "LEFT JOIN site ms ON ms.id = m.site_id LEFT JOIN part p ON p.id = m.part_id "
        "LEFT JOIN app_user h ON h.id = m.holder_id LEFT JOIN app_user st ON st.id = m.staff_id "
        f"{filters.where()} ORDER BY m.at DESC, m.id DESC LIMIT {filters.value(limit)}",
        *filters.args,
    )
    return [
        {
            "id": row["id"], "kind": row["kind"], "at": row["at"], "resource": row["resource"],
            "resource_name": row["resource_name"], "site": row["site"], "booking": row["booking"],
            "audit": row["audit"], "condition": row["condition"], "note": row["note"],
            "holder": user_out(row["holder_id"], row["holder_login"], row["holder_name"]),
            "staff": user_out(row["staff_id"], row["staff_login"], row["staff_name"]),
            "part": None if row["part_id"] is None else
            {"id": row["part_id"], "name": row["part_name"], "tag": row["part_tag"]},
        }
        for row in rows
    ]


async def user_by_ref(ref: int | str) -> dict | None:
    """A user by id (int) or by login (str, case-insensitive); only active accounts."""
    if isinstance(ref, int):
        return await db.fetchone("SELECT id, login, name, role, site_id FROM app_user WHERE id = $1 AND active", ref)
    return await db.fetchone(
        # Logins are stored folded (accounts.logins); lower(login) only serves the unique index.
        "SELECT id, login, name, role, site_id FROM app_user WHERE lower(login) = $1 AND active", fold(ref),
    )


async def require_user(ref: int | str) -> dict:
    user = await user_by_ref(ref)
    if user is None:
        raise NotFound(f"No active user {ref!r}.", code=codes.UNKNOWN_USER)
    return user


async def holders_between(resource_id: int, start: datetime, end: datetime) -> list[dict]:
    """Custody periods (check-out to the next check-in) that overlap [start, end]."""
    rows = await db.fetch(
        "WITH custody AS ("
        "  SELECT m.kind, m.at, m.holder_id, m.booking_id,"
        "         lead(m.at) OVER (ORDER BY m.at, m.id) AS until"
        "  FROM movement m WHERE m.resource_id = $1 AND m.kind IN ('check_out', 'check_in'))"
        " SELECT c.at, c.until, c.booking_id, c.holder_id, u.login, u.name FROM custody c"
        " LEFT JOIN app_user u ON u.id = c.holder_id"
        " WHERE c.kind = 'check_out' AND c.at <= $3 AND (c.until IS NULL OR c.until > $2)"
        " ORDER BY c.at",
        resource_id, start, end,
    )
    return [{"holder": user_out(row["holder_id"], row["login"], row["name"]), "booking": row["booking_id"],
             "from": row["at"], "to": row["until"]} for row in rows]


async def open_loans(resource_ids: list[int], now: datetime) -> dict[int, dict]:
    """The open check-out of each of these items, by item id: holder, due time, overdue."""
    if not resource_ids:
        return {}
    rows = await db.fetch(
        "SELECT b.resource_id, b.ends_at, u.id AS user_id, u.login, u.name FROM booking b "
        "LEFT JOIN app_user u ON u.id = b.user_id "
        "WHERE b.status = 'checked_out' AND b.resource_id = ANY($1::int[])",
        resource_ids,
    )
    return {row["resource_id"]: {"holder": user_out(row["user_id"], row["login"], row["name"]),
                                 "due_at": row["ends_at"], "overdue": row["ends_at"] < now} for row in rows}


# Raw: the figures are read out of the jsonb report in SQL, and the same columns serve the row lock.
AUDIT_COLUMNS = """
    a.id, a.site_id, s.slug AS site, s.name AS site_name, a.started_at, a.closed_at, a.report::text AS report,
    (a.report->'counts')::text AS counts,
    a.started_by_id, u.login AS started_by_login, u.name AS started_by_name
"""
AUDIT_FROM = "FROM audit a JOIN site s ON s.id = a.site_id LEFT JOIN app_user u ON u.id = a.started_by_id"


# Raw: ON CONFLICT names the partial unique index audit_one_open_per_site (one open count per site),
# which Piccolo's on_conflict cannot (it has no WHERE for the index's predicate).
START_AUDIT = """
INSERT INTO audit (site_id, started_by_id) VALUES ($1, $2)
ON CONFLICT (site_id) WHERE closed_at IS NULL DO NOTHING RETURNING id
"""


# Raw: the count's report in one statement: the site's items, those seen, and whether each is lent out.
REPORT_ITEMS = """
SELECT r.id, r.tag, r.name, r.kind, r.site_id, s.slug AS site, r.status,
       seen.at AS seen_at,
       EXISTS (SELECT 1 FROM booking b WHERE b.resource_id = r.id AND b.status = 'checked_out') AS checked_out
FROM resource r
JOIN site s ON s.id = r.site_id
LEFT JOIN movement seen ON seen.resource_id = r.id AND seen.audit_id = $1 AND seen.kind = 'audit_seen'
WHERE r.site_id = $2 OR seen.id IS NOT NULL
ORDER BY r.tag
"""

# --- A person's data (fablab/inventory/person.py declares what each statement is for) -----------
PERSON_MOVEMENTS = """
SELECT m.id, m.kind, r.tag AS resource, m.booking_id, m.at, m.condition, m.note,
       CASE WHEN m.holder_id = $1 THEN 'holder' ELSE 'staff' END AS involvement
FROM movement m JOIN resource r ON r.id = m.resource_id
WHERE m.holder_id = $1 OR m.staff_id = $1 ORDER BY m.at, m.id
"""
# Movements allow exactly this change (their append-only trigger); an item still out keeps its holder.
RETAIN_MOVEMENTS = """
UPDATE movement m SET holder_id = NULL, staff_id = NULL, note = ''
WHERE m.at < $1 AND (m.holder_id IS NOT NULL OR m.staff_id IS NOT NULL OR m.note <> '')
  AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.id = m.booking_id AND b.status IN ('confirmed', 'checked_out'))
RETURNING m.id
"""
PERSON_AUDITS = """
SELECT a.id, s.slug AS site, a.started_at, a.closed_at FROM audit a JOIN site s ON s.id = a.site_id
WHERE a.started_by_id = $1 ORDER BY a.started_at
"""
RETAIN_AUDITS = "UPDATE audit SET started_by_id = NULL WHERE started_at < $1 AND started_by_id IS NOT NULL RETURNING id"
