"""What the person who scanned a tag may do with the item now, by role and state (docs/ARCHITECTURE.md, The QR flow)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fablab.accounts import scope
from fablab.platform import db
from fablab.inventory import queries
from fablab.inventory.due import LOOKAHEAD_DAYS, DueProposal, propose_due
from fablab.sites.queries import calendar_for, policy_for, require_site, site_by_id
from fablab.parts.queries import parts_of


def staff_actions(status: str, checked_out: bool) -> list[str]:
    actions = []
    if checked_out:
        actions.append("check_in")
    elif status == "available":
        actions += ["check_out", "maintenance_start"]
    if status == "maintenance":
        actions.append("maintenance_end")
    if status == "lost":
        actions.append("found")
    elif status != "retired":
        actions.append("lost")
    return actions


async def free_now(resource_id: int, now: datetime) -> bool:
    # Same predicate and range as the exclusion constraint, so its index answers.
    return not await db.fetchval(
        "SELECT 1 FROM booking WHERE resource_id = $1 AND status IN ('confirmed', 'checked_out') "
        "AND tstzrange(starts_at, blocked_until, '[)') @> $2::timestamptz LIMIT 1",
        resource_id, now,
    )


def _materials(resource: dict) -> list[str]:
    details = resource.get("details") or {}
    details = json.loads(details) if isinstance(details, str) else details
    materials = details.get("materials") or []
    if isinstance(materials, str):  # typed as one text by hand: "PLA, PETG"
        materials = materials.replace("|", ",").split(",")
    return [str(m).strip() for m in materials if str(m).strip()] if isinstance(materials, list) else []


async def resolve(resource: dict, user, now: datetime) -> dict:
    tag = resource["tag"]
    out = {
        "tag": tag, "name": resource["name"], "kind": resource["kind"], "site": resource["site"],
        "site_name": resource["site_name"], "timezone": resource["timezone"], "status": resource["status"], "role": None, "actions": [],
        "materials": _materials(resource),
    }
    if user is None:
        # Anonymous: no bookings, no people; a way in, and the lost-and-found contact.
        out.update(login_hint="Log in to book or borrow this item.", next=f"/t/{tag}",
                   contact=(await site_by_id(resource["site_id"]))["contact"])
        out["actions"] = ["log_in"]
        return out
    # The view the caller gets: staff of another site see the item as a learner does (scope).
    desk = scope.acts_for_site(user, resource["site_id"])
    out["role"] = user.role if desk or not user.is_staff else "learner"
    if not desk:
        mine = await queries.next_booking(resource["id"], now, user_id=user.id)
        out["my_booking"] = queries.booking_out(mine, now) if mine else None
        out["free_now"] = resource["status"] == "available" and await free_now(resource["id"], now)
        if mine is not None:
            out["actions"] = ["view_booking"] + (["cancel_booking"] if mine["status"] == "confirmed" else [])
        elif resource["status"] == "available":
            out["actions"] = ["book"]
        return out
    current = await queries.open_checkout(resource["id"])
    upcoming = await db.fetchone(
        f"SELECT {queries.BOOKING_COLUMNS} {queries.BOOKING_FROM} WHERE b.resource_id = $1 "
        "AND b.status = 'confirmed' AND b.ends_at > $2 ORDER BY b.starts_at LIMIT 1",
        resource["id"], now,
    )
    out.update(
        holder=queries.booking_out(current, now).user if current else None,
        current_booking=queries.booking_out(current, now) if current else None,
        next_booking=queries.booking_out(upcoming, now) if upcoming else None,
        actions=staff_actions(resource["status"], current is not None),
        parts=await parts_of(resource["id"]),  # the desk ticks them at check-out and check-in
    )
    if "check_out" in out["actions"]:
        out["walk_up"] = await walk_up_out(resource, now)
    return out


async def walk_up_out(resource: dict, now: datetime) -> dict | None:
    """The return time the desk offers first for a walk-up loan (walk_up_proposal).
    by_policy false: the site is closed now, so lending sends this due_at explicitly (override)."""
    proposal = await walk_up_proposal(resource, now)
    if proposal is None:
        return None
    return {"due_at": proposal.due_at, "by_policy": proposal.by_policy, "opens_at": proposal.opens_at}


async def walk_up_proposal(resource: dict, now: datetime) -> DueProposal | None:
    """The return time the desk offers for a walk-up loan of this item handed over now (due.propose_due:
    the policy's walk-up due time while open; when closed, the one from the next opening). The tag page
    shows it, and the desk's check-out (fablab/desk/checkout.py) lends until it when staff give none."""
    policy = await policy_for(resource["site_id"], resource["kind"], resource["id"])
    site = await require_site(resource["site"])
    today = now.astimezone(ZoneInfo(resource["timezone"])).date()
    calendar = await calendar_for(site, today, today + timedelta(days=LOOKAHEAD_DAYS))
    return propose_due(policy, calendar, now)
