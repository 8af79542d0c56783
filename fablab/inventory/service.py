"""Writes to resources: create (with generated tags), update, status changes with their movements, CSV import."""

from __future__ import annotations

import json
from datetime import datetime

from fablab.accounts import scope
from fablab.domain import codes
from fablab.platform import db
from fablab.bookings.schemas import AffectedBookingsOut
from fablab.platform.db import DB, NOW
from fablab.domain.errors import Conflict, InvalidInput
from fablab.inventory import queries
from fablab.inventory.csvio import ImportRow
from fablab.inventory.out_of_service import REASONS, take_out_of_service
from fablab.movements import log
from fablab.sites.queries import find_site, require_site
from fablab.tables import Part, Resource
from fablab.movements.tags import claim_tag, normalise_tag, next_tag, tag_prefix
from fablab.domain.vocabulary import KINDS, RESOURCE_STATUSES

MAX_DETAILS_BYTES = 4000


def status_movement(old: str, new: str) -> str | None:
    """The movement kind that records a status change (the custody log explains every change)."""
    if old == new:
        return None
    if new == "available":
        return "maintenance_end" if old == "maintenance" else "found"
    return {"maintenance": "maintenance_start", "lost": "lost", "retired": "retired"}[new]


def check_details(details: dict) -> dict:
    if not isinstance(details, dict) or len(json.dumps(details)) > MAX_DETAILS_BYTES:
        raise InvalidInput("details must be an object of at most 4000 bytes", code=codes.INVALID_DETAILS)
    for key, value in details.items():
        if not isinstance(value, (str, int, float, bool, list, type(None))):
            raise InvalidInput(f"details.{key}: nested objects are not accepted", code=codes.INVALID_DETAILS)
    return details


async def _generate_tag(site: dict, kind: str) -> str:
    # Serialise tag generation per (site, kind): concurrent creates must not pick the same number.
    # A transaction-level lock is released at commit, on whichever worker took it.
    await db.fetch(queries.TAG_GENERATION_LOCK, f"fablab:resource-tag:{site['id']}:{kind}")
    prefix = tag_prefix(site["slug"], kind)
    existing = await Resource.select(Resource.tag).where(Resource.tag.like(prefix + "%"))
    # A part labelled like an item keeps its number: the next item skips it.
    parts = await Part.select(Part.tag).where(Part.tag.like(prefix + "%"), Part.removed_at.is_null())
    # normalise_tag: a long site slug could make the tag longer than the column allows.
    return normalise_tag(next_tag(site["slug"], kind, [row["tag"] for row in existing + parts]))


async def _insert(*, site: dict, kind: str, name: str, tag: str | None, details: dict, notes: str,
                  status: str, actor_id: int) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", code=codes.UNKNOWN_KIND)
    if status not in RESOURCE_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(RESOURCE_STATUSES)}", code=codes.INVALID_STATUS)
    tag = normalise_tag(tag) if tag else await _generate_tag(site, kind)
    await claim_tag(tag)
    rows = await Resource.insert(Resource(
        site=site["id"], kind=kind, name=name, tag=tag, status=status, details=json.dumps(check_details(details)),
        notes=notes, created_at=NOW, updated_at=NOW,
    )).returning(Resource.id)
    resource_id = rows[0]["id"]
    movement = status_movement("available", status)
    if movement:
        await log.record(resource_id=resource_id, kind=movement, staff_id=actor_id, site_id=site["id"],
                              note="created with this status")
    return tag


async def create_resource(*, actor, site: str, kind: str, name: str, tag: str | None = None,
                          details: dict | None = None, notes: str = "", status: str = "available") -> dict:
    async with DB.transaction():
        site_row = await require_site(site)
        scope.require_site(actor, site_row["id"], "This site")
        tag = await _insert(site=site_row, kind=kind, name=name, tag=tag, details=details or {}, notes=notes,
                            status=status, actor_id=actor.id)
        return await queries.require_resource(tag)


async def change_status(resource: dict, status: str, *, actor_id: int, note: str = "",
                        now: datetime | None = None) -> AffectedBookingsOut | None:
    """Within the caller's transaction, on a resource row it has locked. Out of service
    (maintenance, lost, retired): what became of its bookings to come; None otherwise."""
    if status not in RESOURCE_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(RESOURCE_STATUSES)}", code=codes.INVALID_STATUS)
    movement = status_movement(resource["status"], status)
    if movement is None:
        return None
    if status in ("maintenance", "retired") and await queries.open_checkout(resource["id"]):
        raise Conflict(f"{resource['tag']} is checked out: check it in first.", code=codes.CHECKED_OUT)
    await Resource.update({Resource.status: status, Resource.updated_at: NOW}).where(Resource.id == resource["id"])
    await log.record(resource_id=resource["id"], kind=movement, staff_id=actor_id,
                          site_id=resource["site_id"], note=note)
    resource["status"] = status
    if status not in REASONS:
        return None
    # Nobody can hold it now: its bookings to come move to another unit or are withdrawn, their
    # learners told, rather than left to find out at the desk (out_of_service).
    return await take_out_of_service(resource, reason=REASONS[status], now=now)


UNCHANGED = object()


async def update_resource(*, actor, tag: str, name=UNCHANGED, details=UNCHANGED, notes=UNCHANGED,
                          status=UNCHANGED, note: str = "") -> tuple[dict, AffectedBookingsOut | None]:
    """`details` is merged into the stored object; a key set to null is removed. With the
    bookings a status change out of service moved or withdrew (None: no such change)."""
    actor_id = actor.id
    async with DB.transaction():
        resource = await queries.require_resource(normalise_tag(tag), for_update=True)
        scope.require_site(actor, resource["site_id"], "This item")
        changes = {}
        if name is not UNCHANGED:
            changes[Resource.name] = name
        if notes is not UNCHANGED:
            changes[Resource.notes] = notes
        if details is not UNCHANGED:
            merged = {**resource["details"], **check_details(details)}
            changes[Resource.details] = json.dumps(check_details({k: v for k, v in merged.items() if v is not None}))
        if changes:
            await Resource.update({**changes, Resource.updated_at: NOW}).where(Resource.id == resource["id"])
        affected = None
        if status is not UNCHANGED:
            affected = await change_status(resource, status, actor_id=actor_id, note=note)
        return await queries.require_resource(resource["tag"]), affected


async def import_resources(*, actor, rows: list[ImportRow]) -> dict:
    """All rows or none: one transaction; existing tags are updated, new rows created. Every row's
    site, and every updated item's, must be one of the actor's (403 not_your_site otherwise)."""
    actor_id = actor.id
    created, updated, unchanged, errors = [], [], [], []
    async with DB.transaction():
        sites: dict[str, dict] = {}
        for row in rows:
            if row.site not in sites:
                site = await find_site(row.site)
                if site is None:
                    errors.append({"line": row.line, "field": "site", "message": f"unknown site {row.site!r}"})
                    continue
                scope.require_site(actor, site["id"], f"Line {row.line}: site {row.site}")
                sites[row.site] = site
            site = sites[row.site]
            existing = await queries.resource_by_tag(row.tag, for_update=True) if row.tag else None
            if existing is not None:
                scope.require_site(actor, existing["site_id"], f"Line {row.line}: {existing['tag']}")
            if existing is None:
                tag = await _insert(site=site, kind=row.kind, name=row.name, tag=row.tag, details=row.details,
                                    notes=row.notes or "", status=row.status or "available", actor_id=actor_id)
                created.append(tag)
                continue
            if existing["site"] != site["slug"] or existing["kind"] != row.kind:
                errors.append({"line": row.line, "field": "site",
                               "message": f"{row.tag} is a {existing['kind']} at {existing['site']}; "
                                          "site and kind cannot change by import"})
                continue
            details = {**existing["details"], **row.details}
            notes = existing["notes"] if row.notes is None else row.notes
            if (row.name, details, notes, row.status or existing["status"]) == (
                    existing["name"], existing["details"], existing["notes"], existing["status"]):
                unchanged.append(existing["tag"])
                continue
            await Resource.update({
                Resource.name: row.name, Resource.details: json.dumps(check_details(details)), Resource.notes: notes,
                Resource.updated_at: NOW,
            }).where(Resource.id == existing["id"])
            if row.status:
                await change_status(existing, row.status, actor_id=actor_id, note="CSV import")
            updated.append(existing["tag"])
        if errors:
            # Raising rolls the whole import back: nothing is half-imported.
            raise InvalidInput(f"{len(errors)} problem(s) in the file; nothing was imported.",
                               code=codes.INVALID_CSV, errors=errors)
    return {"created": created, "updated": updated, "unchanged": unchanged}
