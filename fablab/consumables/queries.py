"""Reads of the consumables domain, and the raw statements its service runs (each says why it is raw)."""

from __future__ import annotations

from datetime import datetime

from fablab.domain import codes
from fablab.platform import db
from fablab.domain.errors import NotFound

# With the site and the open alert (when it went below its threshold): every answer shows both.
CONSUMABLE_COLUMNS = """
c.id, c.site_id, s.slug AS site, s.timezone, c.name, c.unit, c.quantity, c.low_threshold,
c.monthly_budget_per_learner, c.updated_at, c.quantity < c.low_threshold AS low, a.opened_at AS low_since
"""
CONSUMABLE_FROM = """
FROM consumable c JOIN site s ON s.id = c.site_id
LEFT JOIN consumable_alert a ON a.consumable_id = c.id AND a.resolved_at IS NULL
"""

# Raw: the stock row locked, changed and its ledger row written in one statement. The row lock
# queues simultaneous desks; the CHECK consumable_stock_not_negative refuses a stock below zero
# (the guarantee behind 409 insufficient_stock). $2 adjust sets the stock to $3; others add $3.
MOVE_STOCK = """
WITH locked AS (SELECT id, quantity FROM consumable WHERE id = $1 FOR NO KEY UPDATE),
changed AS (
    UPDATE consumable c SET quantity = CASE WHEN $2 = 'adjust' THEN $3 ELSE locked.quantity + $3 END,
                            updated_at = now()
    FROM locked WHERE c.id = locked.id
    RETURNING c.id, c.quantity AS quantity_after, c.quantity - locked.quantity AS delta)
INSERT INTO consumable_movement (consumable_id, kind, delta, quantity_after, booking_id, user_id, staff_id, note)
SELECT id, $2, delta, quantity_after, $4, $5, $6, $7 FROM changed
RETURNING id, quantity_after
"""

# Raw: ON CONFLICT on a partial unique index. Opens the alert of a stock below its threshold (once:
# one open alert per consumable), resolves it once the stock is back at or above the threshold.
SYNC_ALERT = """
WITH c AS (SELECT id, quantity, low_threshold FROM consumable WHERE id = $1),
opened AS (
    INSERT INTO consumable_alert (consumable_id, quantity, low_threshold)
    SELECT id, quantity, low_threshold FROM c WHERE quantity < low_threshold
    ON CONFLICT (consumable_id) WHERE resolved_at IS NULL DO NOTHING RETURNING id),
resolved AS (
    UPDATE consumable_alert a SET resolved_at = now() FROM c
    WHERE a.consumable_id = c.id AND a.resolved_at IS NULL AND c.quantity >= c.low_threshold RETURNING a.id)
SELECT (SELECT count(*) FROM opened) AS opened, (SELECT count(*) FROM resolved) AS resolved
"""

MOVEMENT_COLUMNS = """
m.id, m.consumable_id, m.kind, m.delta, m.quantity_after, m.booking_id, m.note, m.at,
m.user_id, u.login AS user_login, u.name AS user_name, m.staff_id, st.login AS staff_login, st.name AS staff_name
"""
MOVEMENT_FROM = """
FROM consumable_movement m LEFT JOIN app_user u ON u.id = m.user_id LEFT JOIN app_user st ON st.id = m.staff_id
"""

# Raw: an aggregate. What one learner used of one consumable over a month (the budget's measure).
USED_BY_LEARNER = """
SELECT coalesce(sum(-delta), 0) FROM consumable_movement
WHERE user_id = $1 AND consumable_id = $2 AND kind = 'use' AND at >= $3 AND at < $4
"""

# Raw: an aggregate. A learner's month, per consumable: what they used, and the budgets of their site.
MY_MONTH = """
SELECT c.id, s.slug AS site, c.name, c.unit, c.monthly_budget_per_learner AS budget,
       coalesce(sum(-m.delta) FILTER (WHERE m.kind = 'use'), 0)::int AS used
FROM consumable c JOIN site s ON s.id = c.site_id
LEFT JOIN consumable_movement m ON m.consumable_id = c.id AND m.user_id = $1 AND m.at >= $2 AND m.at < $3
WHERE (c.site_id = $4 AND c.monthly_budget_per_learner IS NOT NULL) OR m.id IS NOT NULL
GROUP BY c.id, s.slug
HAVING c.monthly_budget_per_learner IS NOT NULL OR coalesce(sum(-m.delta) FILTER (WHERE m.kind = 'use'), 0) > 0
ORDER BY s.slug, lower(c.name)
"""

# The bookings of a printer (or one booking) that have a print log or used consumables, newest first.
PRINTS = """
SELECT b.id AS booking, r.tag AS resource, r.name AS resource_name, b.user_id, u.login AS user_login,
       u.name AS user_name, b.checked_out_at, b.returned_at, p.outcome
FROM booking b JOIN resource r ON r.id = b.resource_id LEFT JOIN app_user u ON u.id = b.user_id
LEFT JOIN print_log p ON p.booking_id = b.id
WHERE ($1::bigint IS NULL OR b.id = $1) AND ($2::int IS NULL OR b.resource_id = $2)
  AND (p.booking_id IS NOT NULL OR EXISTS (SELECT 1 FROM consumable_movement m WHERE m.booking_id = b.id))
ORDER BY b.returned_at DESC NULLS FIRST, b.id DESC
LIMIT $3
"""

# Raw: an aggregate. What each booking used, per consumable.
USES_OF_BOOKINGS = """
SELECT m.booking_id, c.id AS consumable, c.name, c.unit, sum(-m.delta)::int AS quantity
FROM consumable_movement m JOIN consumable c ON c.id = m.consumable_id
WHERE m.booking_id = ANY($1::bigint[]) AND m.kind = 'use'
GROUP BY m.booking_id, c.id ORDER BY m.booking_id, lower(c.name)
"""

# Raw: aggregates of the consumption report, per consumable of a site over [$2, $3).
REPORT_CONSUMABLES = """
SELECT c.id, c.name, c.unit, c.quantity AS stock,
       coalesce(sum(-m.delta) FILTER (WHERE m.kind = 'use'), 0)::int AS used,
       coalesce(sum(-m.delta) FILTER (WHERE m.kind = 'loss'), 0)::int AS lost,
       coalesce(sum(m.delta) FILTER (WHERE m.kind = 'restock'), 0)::int AS restocked,
       coalesce(sum(m.delta) FILTER (WHERE m.kind = 'adjust'), 0)::int AS adjusted,
       coalesce(sum(-m.delta) FILTER (WHERE m.kind = 'use' AND p.outcome = 'failed'), 0)::int AS failed_quantity,
       coalesce(sum(-m.delta) FILTER (WHERE m.kind = 'use' AND p.outcome IS NOT NULL), 0)::int AS printed_quantity
FROM consumable c
LEFT JOIN consumable_movement m ON m.consumable_id = c.id AND m.at >= $2 AND m.at < $3
LEFT JOIN print_log p ON p.booking_id = m.booking_id
WHERE c.site_id = $1
GROUP BY c.id ORDER BY lower(c.name)
"""

REPORT_LEARNERS = """
SELECT m.user_id, u.login AS user_login, u.name AS user_name, c.id AS consumable, c.name, c.unit,
       c.monthly_budget_per_learner AS budget, sum(-m.delta)::int AS used
FROM consumable_movement m JOIN consumable c ON c.id = m.consumable_id LEFT JOIN app_user u ON u.id = m.user_id
WHERE c.site_id = $1 AND m.kind = 'use' AND m.at >= $2 AND m.at < $3
GROUP BY m.user_id, u.login, u.name, c.id
ORDER BY used DESC, lower(c.name), u.name
"""

REPORT_PRINTS = """
SELECT count(*)::int AS count, (count(*) FILTER (WHERE p.outcome = 'failed'))::int AS failed
FROM print_log p JOIN booking b ON b.id = p.booking_id
WHERE b.site_id = $1 AND p.recorded_at >= $2 AND p.recorded_at < $3
"""

# Open alerts not mailed yet (the job tries each one a bounded number of times).
ALERTS_TO_MAIL = """
SELECT a.id, a.quantity, a.low_threshold, a.opened_at, c.id AS consumable_id, c.name, c.unit, c.site_id,
       s.name AS site_name, s.timezone
FROM consumable_alert a JOIN consumable c ON c.id = a.consumable_id JOIN site s ON s.id = c.site_id
WHERE a.resolved_at IS NULL AND a.mailed_at IS NULL AND a.mail_attempts < $1
ORDER BY a.id
"""

# The staff of a site who read e-mail (the low-stock alert goes to them).
SITE_STAFF_EMAILS = """
SELECT u.email FROM app_user u JOIN staff_site ss ON ss.user_id = u.id
WHERE ss.site_id = $1 AND u.role = 'staff' AND u.active AND u.anonymised_at IS NULL AND coalesce(u.email, '') <> ''
ORDER BY u.id
"""

# Raw: claims the alert's e-mail in the sending transaction (a second worker then finds it taken).
CLAIM_ALERT_MAIL = """
UPDATE consumable_alert SET mailed_at = $2, mail_attempts = mail_attempts + 1
WHERE id = $1 AND mailed_at IS NULL RETURNING id
"""
ALERT_MAIL_FAILED = "UPDATE consumable_alert SET mail_attempts = mail_attempts + 1 WHERE id = $1 AND mailed_at IS NULL"


async def list_consumables(site_ids: list[int] | None) -> list[dict]:
    return await db.fetch(
        f"SELECT {CONSUMABLE_COLUMNS} {CONSUMABLE_FROM} WHERE ($1::int[] IS NULL OR c.site_id = ANY($1::int[])) "
        "ORDER BY s.slug, lower(c.name)", site_ids)


async def consumable_by_id(consumable_id: int) -> dict | None:
    return await db.fetchone(f"SELECT {CONSUMABLE_COLUMNS} {CONSUMABLE_FROM} WHERE c.id = $1", consumable_id)


async def require_consumable(consumable_id: int) -> dict:
    row = await consumable_by_id(consumable_id)
    if row is None:
        raise NotFound(f"No consumable {consumable_id}.", code=codes.UNKNOWN_CONSUMABLE)
    return row


async def movement(movement_id: int) -> dict:
    return await db.fetchone(f"SELECT {MOVEMENT_COLUMNS} {MOVEMENT_FROM} WHERE m.id = $1", movement_id)


async def movements(consumable_id: int, limit: int) -> list[dict]:
    return await db.fetch(f"SELECT {MOVEMENT_COLUMNS} {MOVEMENT_FROM} WHERE m.consumable_id = $1 "
                          "ORDER BY m.at DESC, m.id DESC LIMIT $2", consumable_id, limit)


async def used_by_learner(user_id: int, consumable_id: int, start: datetime, end: datetime) -> int:
    return int(await db.fetchval(USED_BY_LEARNER, user_id, consumable_id, start, end))


async def booking_for_use(booking_id: int) -> dict:
    """The booking a use is charged to: its site (it must be the consumable's) and its learner."""
    row = await db.fetchone("SELECT id, site_id, user_id FROM booking WHERE id = $1", booking_id)
    if row is None:
        raise NotFound(f"No booking {booking_id}.", code=codes.UNKNOWN_BOOKING)
    return row


async def prints(*, booking_id: int | None = None, resource_id: int | None = None, limit: int = 50) -> list[dict]:
    rows = await db.fetch(PRINTS, booking_id, resource_id, limit)
    uses: dict[int, list[dict]] = {}
    for use in await db.fetch(USES_OF_BOOKINGS, [row["booking"] for row in rows]):
        uses.setdefault(use.pop("booking_id"), []).append(use)
    for row in rows:
        row["uses"] = uses.get(row["booking"], [])
    return rows

# --- A person's data (fablab/consumables/person.py declares what each statement is for) ---------
PERSON_CONSUMABLE_MOVEMENTS = """
SELECT m.id, c.name AS consumable, c.unit, m.kind, m.delta, m.booking_id, m.at, m.note,
       CASE WHEN m.user_id = $1 THEN 'user' ELSE 'staff' END AS involvement
FROM consumable_movement m JOIN consumable c ON c.id = m.consumable_id
WHERE m.user_id = $1 OR m.staff_id = $1 ORDER BY m.at, m.id
"""
# The ledger allows exactly this change (its append-only trigger): quantities and stock stay.
RETAIN_CONSUMABLE_MOVEMENTS = """
UPDATE consumable_movement m SET user_id = NULL, staff_id = NULL, note = ''
WHERE m.at < $1 AND (m.user_id IS NOT NULL OR m.staff_id IS NOT NULL OR m.note <> '')
  AND NOT EXISTS (SELECT 1 FROM booking b WHERE b.id = m.booking_id AND b.status IN ('confirmed', 'checked_out'))
RETURNING m.id
"""
PERSON_PRINT_LOGS = """
SELECT p.booking_id, r.tag AS resource, p.outcome, p.recorded_at,
       CASE WHEN b.user_id = $1 THEN 'user' ELSE 'staff' END AS involvement
FROM print_log p JOIN booking b ON b.id = p.booking_id JOIN resource r ON r.id = b.resource_id
WHERE b.user_id = $1 OR p.staff_id = $1 ORDER BY p.recorded_at, p.booking_id
"""
RETAIN_PRINT_LOGS = "UPDATE print_log SET staff_id = NULL WHERE recorded_at < $1 AND staff_id IS NOT NULL RETURNING booking_id"
