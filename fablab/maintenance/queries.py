"""Reads of the maintenance domain: plans, records, each item's use since its last maintenance,
machine hours; and the lookups the booking engine and the desk call before lending (no import of
bookings or inventory here, so both may call them)."""

from __future__ import annotations

from datetime import date, datetime

from fablab.platform import db
from fablab.maintenance.rules import Plan, Usage, check_bookable, refuses
from fablab.tables import MaintenancePlan, MaintenanceRecord

PLAN_FIELDS = ("every_hours", "every_loans", "every_days", "task", "refuse_when_overdue")


def _usage_sql(selection: str) -> str:
    """Raw: an aggregate over the hand-overs. Per item of the selection ($1 is now): the plan that
    applies (its own, else its site's for its kind), its last maintenance, and since then (or since
    the plan was set) the loans handed over and the seconds spent out (an open loan up to now)."""
    return f"""
SELECT r.id AS resource_id, r.tag, r.name, r.kind, r.status, r.site_id, s.slug AS site, s.timezone,
       p.id AS plan_id, p.resource_id IS NOT NULL AS own_plan, p.every_hours, p.every_loans, p.every_days,
       p.task, p.refuse_when_overdue, p.created_at AS plan_set_at, last.at AS last_done_at, last.task AS last_task,
       coalesce(last.at, p.created_at) AS since, used.loans, used.seconds
FROM resource r JOIN site s ON s.id = r.site_id
JOIN LATERAL (SELECT * FROM maintenance_plan p
              WHERE p.resource_id = r.id OR (p.resource_id IS NULL AND p.site_id = r.site_id AND p.kind = r.kind)
              ORDER BY p.resource_id IS NULL LIMIT 1) p ON true
LEFT JOIN LATERAL (SELECT m.at, m.task FROM maintenance_record m WHERE m.resource_id = r.id
                   ORDER BY m.at DESC, m.id DESC LIMIT 1) last ON true
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE b.checked_out_at >= coalesce(last.at, p.created_at)) AS loans,
           coalesce(sum(extract(epoch FROM least(coalesce(b.returned_at, $1), $1)
                                            - greatest(b.checked_out_at, coalesce(last.at, p.created_at)))), 0
                   )::float8 AS seconds
    FROM booking b
    WHERE b.resource_id = r.id AND b.checked_out_at IS NOT NULL AND b.checked_out_at < $1
      AND coalesce(b.returned_at, $1) > coalesce(last.at, p.created_at)) used
WHERE {selection}
ORDER BY r.tag
"""


def may_refuse(unit: str) -> str:
    """SQL: whether a plan that refuses bookings while overdue may apply to the unit row `unit`
    (an alias with id, site_id, kind). The booking engine and the desk read it in the statement
    they run anyway, so a booking pays for the counters (require_not_overdue) only then."""
    return (f"EXISTS (SELECT FROM maintenance_plan mp WHERE mp.refuse_when_overdue AND (mp.resource_id = {unit}.id "
            f"OR (mp.resource_id IS NULL AND mp.site_id = {unit}.site_id AND mp.kind = {unit}.kind)))")


USAGE_AT_SITES = _usage_sql("r.site_id = ANY($2::int[]) AND r.status <> 'retired'")
USAGE_OF_ITEM = _usage_sql("r.id = $2")
# The booking engine's lookups: only plans that refuse bookings while overdue are read at all.
REFUSING_ITEM = _usage_sql("r.id = $2 AND p.refuse_when_overdue")
REFUSING_UNITS_OF_KIND = _usage_sql("r.site_id = $2 AND r.kind = $3 AND p.refuse_when_overdue")


def _upsert_plan(conflict_target: str) -> str:
    """Raw: an upsert on a partial unique index (Piccolo's on_conflict cannot name its predicate),
    so that two simultaneous PUTs of one plan give one row, the later values."""
    return f"""
INSERT INTO maintenance_plan (site_id, kind, resource_id, every_hours, every_loans, every_days, task, refuse_when_overdue)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT {conflict_target}
DO UPDATE SET every_hours = EXCLUDED.every_hours, every_loans = EXCLUDED.every_loans,
              every_days = EXCLUDED.every_days, task = EXCLUDED.task,
              refuse_when_overdue = EXCLUDED.refuse_when_overdue, updated_at = now()
"""


UPSERT_ITEM_PLAN = _upsert_plan("(resource_id) WHERE resource_id IS NOT NULL")
UPSERT_KIND_PLAN = _upsert_plan("(site_id, kind) WHERE resource_id IS NULL")


def plan_and_usage(row: dict, now: datetime) -> tuple[Plan, Usage]:
    return Plan.from_row(row), Usage.since(since=row["since"], now=now, seconds_used=row["seconds"],
                                           loans=row["loans"])


async def usage_at_sites(site_ids: list[int], now: datetime) -> list[dict]:
    return await db.fetch(USAGE_AT_SITES, now, site_ids)


async def usage_of_item(resource_id: int, now: datetime) -> dict | None:
    """None when no plan applies to the item."""
    return await db.fetchone(USAGE_OF_ITEM, now, resource_id)


async def require_not_overdue(resource_id: int, tag: str, now: datetime) -> None:
    """422 maintenance_overdue when the item's plan refuses bookings and its maintenance is due."""
    row = await db.fetchone(REFUSING_ITEM, now, resource_id)
    if row is not None:
        check_bookable(*plan_and_usage(row, now), tag)


# Items whose plan may now refuse bookings, row-locked in id order (the order every writer of
# resources follows), before their bookings are moved or withdrawn.
LOCK_ITEMS = "SELECT id, site_id, kind, tag, status FROM resource WHERE id = ANY($1::int[]) ORDER BY id FOR NO KEY UPDATE"

# Items with confirmed bookings to come whose plan refuses bookings while overdue: the candidates
# of the periodic check (a plan counted in days falls due with no event to trigger it).
REFUSING_WITH_BOOKINGS = _usage_sql(
    "p.refuse_when_overdue AND r.status = 'available' AND EXISTS (SELECT FROM booking f WHERE f.resource_id = r.id "
    "AND f.status = 'confirmed' AND f.ends_at > $1)")


async def lock_items(resource_ids: list[int]) -> list[dict]:
    return await db.fetch(LOCK_ITEMS, sorted(set(resource_ids)))


async def overdue_with_bookings(now: datetime) -> list[int]:
    """Items whose plan refuses bookings now and that still have confirmed bookings to come."""
    return [row["resource_id"] for row in await db.fetch(REFUSING_WITH_BOOKINGS, now)
            if refuses(*plan_and_usage(row, now))]


async def refuses_now(resource_id: int, now: datetime) -> bool:
    """Whether the item's plan refuses bookings now (set so, and its maintenance is due)."""
    row = await db.fetchone(REFUSING_ITEM, now, resource_id)
    return row is not None and refuses(*plan_and_usage(row, now))


async def overdue_units(site_id: int, kind: str, now: datetime) -> set[int]:
    """The units of a kind that must not be booked now (their plan refuses while overdue)."""
    rows = await db.fetch(REFUSING_UNITS_OF_KIND, now, site_id, kind)
    return {row["resource_id"] for row in rows if refuses(*plan_and_usage(row, now))}


async def kind_plans(site_ids: list[int] | None) -> list[dict]:
    """Plans per site and kind (None: every site), with their site's slug."""
    query = MaintenancePlan.select(
        MaintenancePlan.id, MaintenancePlan.site.slug.as_alias("site"), MaintenancePlan.kind,
        *(getattr(MaintenancePlan, name) for name in PLAN_FIELDS), MaintenancePlan.updated_at,
    ).where(MaintenancePlan.resource.is_null())
    if site_ids is not None:
        query = query.where(MaintenancePlan.site.is_in(site_ids or [0]))
    return await query.order_by(MaintenancePlan.site.slug).order_by(MaintenancePlan.kind)


async def item_plans(site_ids: list[int] | None) -> list[dict]:
    """Plans of single items (overrides), with the item's tag and name."""
    query = MaintenancePlan.select(
        MaintenancePlan.id, MaintenancePlan.resource.site.slug.as_alias("site"), MaintenancePlan.kind,
        MaintenancePlan.resource.tag.as_alias("tag"), MaintenancePlan.resource.name.as_alias("name"),
        *(getattr(MaintenancePlan, name) for name in PLAN_FIELDS), MaintenancePlan.updated_at,
    ).where(MaintenancePlan.resource.is_not_null())
    if site_ids is not None:  # where the item is now (it may have moved since its plan was set)
        query = query.where(MaintenancePlan.resource.site.is_in(site_ids or [0]))
    return await query.order_by(MaintenancePlan.resource.tag)


async def plans_of_item(resource: dict) -> tuple[dict | None, dict | None]:
    """(the item's own plan, its site's plan for its kind), each None when absent."""
    rows = await MaintenancePlan.select(
        MaintenancePlan.resource.as_alias("resource_id"), *(getattr(MaintenancePlan, name) for name in PLAN_FIELDS),
    ).where((MaintenancePlan.resource == resource["id"]) | (
        MaintenancePlan.resource.is_null() & (MaintenancePlan.site == resource["site_id"])
        & (MaintenancePlan.kind == resource["kind"])))
    own = next((row for row in rows if row["resource_id"] is not None), None)
    of_kind = next((row for row in rows if row["resource_id"] is None), None)
    return own, of_kind


async def records_of_item(resource_id: int, limit: int = 10) -> list[dict]:
    return await MaintenanceRecord.select(
        MaintenanceRecord.id, MaintenanceRecord.task, MaintenanceRecord.note, MaintenanceRecord.at,
        MaintenanceRecord.staff.name.as_alias("staff_name"),
    ).where(MaintenanceRecord.resource == resource_id).order_by(
        MaintenanceRecord.at, ascending=False).order_by(MaintenanceRecord.id, ascending=False).limit(limit)


# Raw: an aggregate. Each printer of a site ($1, time zone $2) per month from $3 to $4 (first days):
# the hours it was out in that month (a loan across months counted in each, an open one up to now,
# $5) and the loans handed over in it. A month without loans joins no booking: the FILTER keeps
# least()/greatest(), which skip NULLs, from counting the whole month.
MACHINE_HOURS = """
WITH months AS (
    SELECT m::date AS month, m AT TIME ZONE $2 AS starts, (m + interval '1 month') AT TIME ZONE $2 AS ends
    FROM generate_series($3::date::timestamp, $4::date::timestamp, interval '1 month') AS m)
SELECT to_char(months.month, 'YYYY-MM') AS month, r.tag, r.name,
       count(b.id) FILTER (WHERE b.checked_out_at >= months.starts) AS loans,
       coalesce(sum(greatest(0, extract(epoch FROM least(coalesce(b.returned_at, $5), $5, months.ends)
                                                   - greatest(b.checked_out_at, months.starts))))
                    FILTER (WHERE b.id IS NOT NULL), 0)::float8 / 3600 AS hours
FROM resource r CROSS JOIN months
LEFT JOIN booking b ON b.resource_id = r.id AND b.checked_out_at IS NOT NULL AND b.checked_out_at < months.ends
     AND b.checked_out_at < $5 AND coalesce(b.returned_at, $5) > months.starts
WHERE r.site_id = $1 AND r.kind = 'printer_3d'
GROUP BY months.month, r.id, r.tag, r.name
ORDER BY r.tag, months.month
"""


async def machine_hours(*, site_id: int, timezone: str, first_month: date, last_month: date,
                        now: datetime) -> list[dict]:
    return await db.fetch(MACHINE_HOURS, site_id, timezone, first_month, last_month, now)

# --- A person's data (fablab/maintenance/person.py declares what each statement is for) ---------
PERSON_MAINTENANCE = """
SELECT m.id, r.tag AS resource, m.task, m.note, m.at
FROM maintenance_record m JOIN resource r ON r.id = m.resource_id WHERE m.staff_id = $1 ORDER BY m.at, m.id
"""
RETAIN_MAINTENANCE = """
UPDATE maintenance_record SET staff_id = NULL, note = '' WHERE at < $1 AND (staff_id IS NOT NULL OR note <> '')
RETURNING id
"""
