"""Inventory counts: start one for a site, scan tags, close it into a seen / missing / unexpected report."""

from __future__ import annotations

import json

from fablab.accounts import scope
from fablab.domain import codes
from fablab.platform import db
from fablab.platform.db import DB, NOW
from fablab.domain.errors import Conflict, NotFound
from fablab.inventory import queries
from fablab.movements.tags import normalise_tag
from fablab.movements import log
from fablab.sites.queries import require_site
from fablab.tables import Audit


def _audit_out(row: dict) -> dict:
    return {
        "id": row["id"], "site": row["site"], "site_name": row["site_name"], "started_at": row["started_at"],
        "closed_at": row["closed_at"],
        # A closed count's figures, kept with its report (seen, missing, unexpected, checked_out).
        "counts": json.loads(row["counts"]) if row["counts"] else None,
        "started_by": queries.user_out(row["started_by_id"], row["started_by_login"], row["started_by_name"]),
        "open": row["closed_at"] is None,
    }


async def _audit(audit_id: int, *, for_update: bool = False, actor=None) -> dict:
    """actor: the staff acting on the count, who must work at its site."""
    lock = "FOR NO KEY UPDATE OF a" if for_update else ""
    row = await db.fetchone(f"SELECT {queries.AUDIT_COLUMNS} {queries.AUDIT_FROM} WHERE a.id = $1 {lock}", audit_id)
    if row is None:
        raise NotFound(f"No inventory count {audit_id}.", code=codes.UNKNOWN_AUDIT)
    if actor is not None:
        scope.require_site(actor, row["site_id"], "This inventory count")
    return row


async def start_audit(*, actor, site: str) -> dict:
    actor_id = actor.id
    async with DB.transaction():
        site_id = (await require_site(site))["id"]
        scope.require_site(actor, site_id, "This site")
        # The partial unique index keeps one open count per site, whichever worker starts it.
        audit_id = await db.fetchval(queries.START_AUDIT, site_id, actor_id)
        if audit_id is None:
            open_audit = await Audit.select(Audit.id).where(Audit.site == site_id, Audit.closed_at.is_null()).first()
            open_id = open_audit["id"]
            raise Conflict(f"A count is already open at {site} (#{open_id}); continue it or close it.",
                           code=codes.AUDIT_ALREADY_OPEN, audit=open_id)
        return _audit_out(await _audit(audit_id))


async def list_audits(*, actor, site: str | None = None, limit: int = 50) -> list[dict]:
    site_ids = await scope.listed_sites(actor, site)
    rows = await db.fetch(
        f"SELECT {queries.AUDIT_COLUMNS} {queries.AUDIT_FROM} WHERE ($1::int[] IS NULL OR a.site_id = ANY($1::int[])) "
        "ORDER BY a.started_at DESC LIMIT $2",
        site_ids, limit,
    )
    return [_audit_out(row) for row in rows]


def classify(resource: dict, audit_site_id: int) -> str | None:
    """Why a seen item is unexpected here, or None when it belongs to the counted site."""
    if resource["site_id"] != audit_site_id:
        return "other_site"
    if resource["status"] == "retired":
        return "retired"
    return None


async def record_scan(*, actor, audit_id: int, tag: str) -> dict:
    tag = normalise_tag(tag)
    actor_id = actor.id
    async with DB.transaction():
        # Locking the count serialises scans with its closing: no scan lands after the report.
        audit = await _audit(audit_id, for_update=True, actor=actor)
        if audit["closed_at"] is not None:
            raise Conflict(f"Inventory count {audit_id} is closed.", code=codes.AUDIT_CLOSED)
        resource = await queries.require_resource(tag)
        inserted = await log.record_seen(resource_id=resource["id"], staff_id=actor_id, audit_id=audit_id,
                                        site_id=audit["site_id"])
    reason = classify(resource, audit["site_id"])
    return {
        "tag": resource["tag"], "name": resource["name"], "kind": resource["kind"], "site": resource["site"],
        "status": resource["status"], "already_seen": inserted is None,
        "expected": reason is None, "reason": reason,
    }


async def compute_report(audit: dict) -> dict:
    """seen: counted items found; missing: expected at the site (not retired, not lent out) and not
    seen; unexpected: seen but belonging to another site, or retired; checked_out: lent, not expected."""
    rows = await db.fetch(queries.REPORT_ITEMS, audit["id"], audit["site_id"])
    seen, missing, unexpected, checked_out = [], [], [], []
    for row in rows:
        item = {"tag": row["tag"], "name": row["name"], "kind": row["kind"], "site": row["site"],
                "status": row["status"]}
        reason = classify(row, audit["site_id"])
        if row["seen_at"] is not None:
            item["seen_at"] = row["seen_at"].isoformat()
            if reason:
                unexpected.append({**item, "reason": reason})
            else:
                seen.append(item)
        elif reason is None:
            (checked_out if row["checked_out"] else missing).append(item)
    return {
        "seen": seen, "missing": missing, "unexpected": unexpected, "checked_out": checked_out,
        "counts": {"seen": len(seen), "missing": len(missing), "unexpected": len(unexpected),
                   "checked_out": len(checked_out)},
    }


async def audit_state(audit_id: int, *, actor) -> dict:
    audit = await _audit(audit_id, actor=actor)
    report = json.loads(audit["report"]) if audit["report"] else await compute_report(audit)
    return {**_audit_out(audit), "report": report}


async def close_audit(*, actor, audit_id: int) -> dict:
    async with DB.transaction():
        audit = await _audit(audit_id, for_update=True, actor=actor)
        if audit["closed_at"] is not None:
            raise Conflict(f"Inventory count {audit_id} is already closed.", code=codes.AUDIT_CLOSED)
        report = await compute_report(audit)
        await Audit.update({Audit.closed_at: NOW, Audit.report: json.dumps(report)}).where(Audit.id == audit_id)
        audit = await _audit(audit_id)
    return {**_audit_out(audit), "report": report}
