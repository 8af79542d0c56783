"""Writes of the sites domain: edit sites, add and remove closures, set booking policies."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fablab.domain import clock, codes
from fablab.hooks import closure_effects
from fablab.platform import db
from fablab.hooks.closure_effects import Closing
from fablab.sites.calendar import Policy, opening_hours_json, parse_opening_hours, validate_policy
from fablab.platform.db import DB, NOW
from fablab.domain.errors import InvalidInput, NotFound
from fablab.sites import queries
from fablab.tables import Closure, Site, Training
from fablab.tables import Policy as PolicyRow


async def update_site(*, slug: str, changes: dict) -> dict:
    site = await queries.require_site(slug)
    if "opening_hours" in changes:
        changes["opening_hours"] = json.dumps(opening_hours_json(parse_opening_hours(changes["opening_hours"])))
    if "timezone" in changes:
        try:
            ZoneInfo(changes["timezone"])
        except (ValueError, KeyError, OSError):
            raise InvalidInput(f"Unknown time zone {changes['timezone']!r}.", code=codes.INVALID_TIMEZONE) from None
    if changes:
        # SitePatch's fields are the table's column names.
        await Site.update({**changes, Site.updated_at: NOW}).where(Site.id == site["id"])
    return await queries.require_site(slug)


# A closure lasts at most a year; the bookings it lists and may cancel are bounded too.
MAX_CLOSURE_DAYS = 366
MAX_CLOSURE_IMPACT = 500


def _check_closure_days(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise InvalidInput("ends_on must not be before starts_on.", code=codes.INVALID_DATES)
    if (ends_on - starts_on).days > MAX_CLOSURE_DAYS:
        raise InvalidInput("A closure lasts at most a year.", code=codes.INVALID_DATES)


async def closure_impact(*, slug: str, starts_on: date, ends_on: date, all_sites: bool) -> dict[str, list[dict]]:
    """What a closure of those days would hit, by kind of plan (each domain's closure effect: the
    bookings, with their learners; the workshops): the admin sees whom to tell."""
    _check_closure_days(starts_on, ends_on)
    site = await queries.require_site(slug)
    closing = Closing(site_id=None if all_sites else site["id"], starts_on=starts_on, ends_on=ends_on, reason="",
                      now=clock.now())
    return {effect.name: await effect.hit(closing, MAX_CLOSURE_IMPACT) for effect in closure_effects.effects()}


async def add_closure(*, slug: str, starts_on: date, ends_on: date, reason: str, all_sites: bool,
                      cancel_bookings: bool = False, now: datetime | None = None) -> dict:
    """A closure of whole days. With cancel_bookings, what it hits is cancelled in the same
    transaction by each domain's closure effect, and their people told (a booking's learner by the
    reminders' "booking_withdrawn", once); without, they stay and `affected` says how many, by kind
    of plan, the staff must call."""
    _check_closure_days(starts_on, ends_on)
    now = now or clock.now()
    site = await queries.require_site(slug)
    closing = Closing(site_id=None if all_sites else site["id"], starts_on=starts_on, ends_on=ends_on,
                      reason=reason, now=now)
    affected: dict[str, int] = {}
    cancelled: dict[str, list[int]] = {}
    shortened: dict[str, list[int]] = {}
    async with DB.transaction():
        rows = await Closure.insert(Closure(site=closing.site_id, starts_on=starts_on, ends_on=ends_on, reason=reason,
                                            created_at=NOW, updated_at=NOW)).returning(
            Closure.id, Closure.starts_on, Closure.ends_on, Closure.reason)
        for effect in closure_effects.effects():
            hit = await effect.hit(closing, MAX_CLOSURE_IMPACT)
            done = set(await effect.cancel(closing, hit)) if cancel_bookings and hit else set()
            # A plan the closure only trims (a loan shortened to the open days left) stays, shorter.
            trimmed = {row["id"] for row in hit if row.get("shortened_to")}
            cancelled[effect.name] = sorted(done - trimmed)
            shortened[effect.name] = sorted(done & trimmed)
            affected[effect.name] = len(hit) - len(done)
    return {**rows[0], "site": None if all_sites else site["slug"], "affected": affected, "cancelled": cancelled,
            "shortened": shortened, "affected_bookings": affected.get("bookings", 0),
            "cancelled_bookings": cancelled.get("bookings", []), "shortened_bookings": shortened.get("bookings", [])}


async def delete_closure(closure_id: int) -> None:
    deleted = await Closure.delete().where(Closure.id == closure_id).returning(Closure.id)
    if not deleted:
        raise NotFound(f"No closure {closure_id}.", code=codes.UNKNOWN_CLOSURE)


async def _check_training(training_id: int | None) -> None:
    if training_id is not None and not await Training.exists().where(Training.id == training_id):
        raise InvalidInput(f"No training {training_id}.", code=codes.UNKNOWN_TRAINING)


async def _upsert_policy(statement: str, key: tuple, policy: Policy) -> None:
    """Insert or replace the policy row identified by `key` (site and kind, plus the unit for an override)."""
    validate_policy(policy)
    await _check_training(policy.training_id)
    await db.fetch(statement, *key, *(getattr(policy, name) for name in queries.POLICY_VALUES))


async def put_policy(*, site: str, kind: str, policy: Policy) -> Policy:
    kind = queries.require_kind(kind)
    site_row = await queries.require_site(site)
    await _upsert_policy(queries.UPSERT_SITE_POLICY, (site_row["id"], kind), policy)
    return await queries.policy_for(site_row["id"], kind)


async def put_resource_policy(*, tag: str, policy: Policy) -> Policy:
    resource = await queries.resource_by_tag(tag)
    if resource is None:
        raise NotFound(f"No item with tag {tag}.", code=codes.UNKNOWN_TAG)
    await _upsert_policy(queries.UPSERT_UNIT_POLICY, (resource["site_id"], resource["kind"], resource["id"]), policy)
    return await queries.policy_for(resource["site_id"], resource["kind"], resource["id"])


async def delete_resource_policy(*, tag: str) -> None:
    resource = await queries.resource_by_tag(tag)
    if resource is None:
        raise NotFound(f"No item with tag {tag}.", code=codes.UNKNOWN_TAG)
    await PolicyRow.delete().where(PolicyRow.resource == resource["id"])

