"""Several items lent to one learner in one confirmation, all or nothing, under one signed agreement
(issue 31). Each item goes through the desk's own check-out (fablab/desk/checkout.py: bookings,
walk-ups, overdue maintenance, admission), all inside one transaction: the first refusal undoes them all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from fablab.accounts import scope
from fablab.domain import clock, codes
from fablab.platform import db
from fablab.platform.db import DB
from fablab.desk import agreements, checkout, queries, signature
from fablab.desk.dry_run import RolledBack
from fablab.domain.errors import BookingConflict, Conflict, DomainError, InvalidInput
from fablab.inventory import queries as inventory_queries
from fablab.movements.tags import normalise_tag


@dataclass(frozen=True)
class Item:
    tag: str
    parts: list[int] | None = None  # None: every part at the desk goes with it


@dataclass(frozen=True)
class Signed:
    png: bytes | None  # the checked PNG (signature.checked_png), None: not signed now
    version: int | None  # the agreement version the learner was shown


async def _learner(actor, learner: int | str | None, pass_token: str | None) -> dict:
    """The learner named by pass or by id/login, whom this staff member may lend to (scope, rule 7;
    by pass, a learner of another site visiting: scope.require_borrower). `present`: named by pass."""
    if pass_token:
        user_id = await checkout.holder_for_pass(pass_token)
        person = {**await inventory_queries.require_user(user_id), "present": True}
    elif learner is not None:
        person = {**await inventory_queries.require_user(learner), "present": False}
    else:
        raise InvalidInput("Give the learner (user or pass).", code=codes.HOLDER_REQUIRED)
    scope.require_borrower(actor, person, present=person["present"])
    return person


def _tags(items: list[Item]) -> list[str]:
    tags = [normalise_tag(item.tag) for item in items]
    twice = sorted({tag for tag in tags if tags.count(tag) > 1})
    if twice:
        raise InvalidInput(f"{', '.join(twice)} named twice.", code=codes.DUPLICATE_ITEM, items=twice)
    return tags


async def _lend_one(*, actor, user_id: int, tag: str, item: Item, due_at, now: datetime, present: bool) -> dict:
    """One item through the single check-out; a refusal names the item (`item`) and keeps its code."""
    try:
        result = await checkout.check_out(actor=actor, tag=tag, user_ref=user_id, due_at=due_at, now=now,
                                           parts=item.parts, present=present)
    except DomainError as error:
        error.extra = {**error.extra, "item": tag}
        error.detail = f"{tag}: {error.detail}"
        raise
    except asyncpg.ExclusionViolationError:  # booked meanwhile by someone else (rule 1)
        raise BookingConflict(f"{tag} is booked by someone else during this loan.", item=tag) from None
    booking = result["booking"]
    handed = [{"id": part["id"], "name": part["name"], "tag": part["tag"]} for part in result["parts"]
              if part["state"] == "lent" and part["booking"] == booking.id]
    return {"tag": tag, "booking": booking, "due_at": result["due_at"], "walk_up": result["walk_up"],
            "moved_from": result["moved_from"], "parts": handed}


async def _with_names(loans: list[dict]) -> list[dict]:
    rows = await db.fetch("SELECT tag, name, site_id FROM resource WHERE tag = ANY($1::text[])",
                          [loan["tag"] for loan in loans])
    found = {row["tag"]: row for row in rows}
    return [{**loan, "name": found[loan["tag"]]["name"], "site_id": found[loan["tag"]]["site_id"]} for loan in loans]


def _one_site(loans: list[dict]) -> int:
    sites = {loan["site_id"] for loan in loans}
    if len(sites) > 1:
        raise InvalidInput("A hand-over lends items of one site.", code=codes.BOOKING_MISMATCH,
                           items=[loan["tag"] for loan in loans])
    return sites.pop()


def preview_items(loans: list[dict]) -> list[dict]:
    """What the agreement shows the learner: each item, its parts, its return time."""
    return [{"tag": loan["tag"], "name": loan["name"], "due_at": loan["due_at"].isoformat(),
             "parts": [part["name"] for part in loan["parts"]]} for loan in loans]


async def lend(*, actor, items: list[Item], learner: int | str | None = None, pass_token: str | None = None,
               due_at: datetime | None = None, signed: Signed = Signed(None, None), note: str = "",
               now: datetime | None = None, dry_run: bool = False) -> dict:
    """Lend every item to the learner, or none. When the site's agreement must be signed (not yet
    this version, or at every loan), a hand-over without a signature is refused with the agreement's
    text and what would be lent (422 agreement_required); a dry run says the same and lends nothing."""
    now = now or clock.now()
    tags = _tags(items)
    person = await _learner(actor, learner, pass_token)
    try:
        async with DB.transaction():
            return await _lend_all(actor=actor, person=person, tags=tags, items=items, due_at=due_at,
                                   signed=signed, now=now, dry_run=dry_run)
    except RolledBack as preview:
        return preview.result


async def _lend_all(*, actor, person: dict, tags: list[str], items: list[Item], due_at, signed: Signed,
                    now: datetime, dry_run: bool) -> dict:
    token = agreements.signing_for.set(person["id"])
    try:
        loans = [await _lend_one(actor=actor, user_id=person["id"], tag=tag, item=item, due_at=due_at, now=now,
                                 present=person["present"])
                 for tag, item in zip(tags, items)]
    finally:
        agreements.signing_for.reset(token)
    loans = await _with_names(loans)
    site_id = _one_site(loans)
    agreement = await queries.must_sign(person["id"], site_id)
    if dry_run:
        raise RolledBack({"holder": _brief(person), "items": loans, "due_at": max(loan["due_at"] for loan in loans),
                        "agreement": agreement and agreements.agreement_out(agreement), "dry_run": True})
    if agreement is not None and signed.png is None:
        raise agreements.required(agreement, items=preview_items(loans))
    if agreement is not None and signed.version is not None and signed.version != agreement["version"]:
        raise Conflict(f"The agreement is now version {agreement['version']}; show it again.",
                          code=codes.AGREEMENT_CHANGED, version=agreement["version"])
    if agreement is None:  # nothing to sign now; one signed anyway is kept with the current text
        agreement = await queries.current_agreement(site_id) if signed.png else None
    handover_id = await _record(actor=actor, person=person, site_id=site_id, loans=loans, agreement=agreement,
                                png=signed.png if agreement else None, now=now)
    return {"id": handover_id, "holder": _brief(person), "items": loans,
            "due_at": max(loan["due_at"] for loan in loans), "signed": agreement is not None,
            "agreement_version": agreement["version"] if agreement else None, "dry_run": False}


def _brief(person: dict) -> dict:
    return {"id": person["id"], "login": person["login"], "name": person["name"]}


INSERT_HANDOVER = """
INSERT INTO handover (site_id, user_id, staff_id, at, due_at, agreement_id, agreement_version, agreement_text,
                      signature_png, signed_hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
"""
INSERT_ITEMS = """
INSERT INTO handover_item (handover_id, booking_id, resource_id, position, due_at, parts)
SELECT $1, b.id, b.resource_id, i.position - 1, b.ends_at, i.parts::jsonb
FROM unnest($2::bigint[], $3::text[]) WITH ORDINALITY AS i(booking_id, parts, position)
JOIN booking b ON b.id = i.booking_id
"""


def signed_record(*, person: dict, staff_id: int, site_id: int, loans: list[dict], agreement: dict,
                  now: datetime) -> dict:
    """What the hash is over (signature.signed_hash): the receipt's facts, nothing else."""
    return {"learner": person["id"], "staff": staff_id, "site": site_id, "at": now.isoformat(),
            "agreement": {"version": agreement["version"], "text": agreement["text"]},
            "items": [{"tag": loan["tag"], "booking": loan["booking"].id, "due_at": loan["due_at"].isoformat(),
                       "parts": [part["id"] for part in loan["parts"]]} for loan in loans]}


async def _record(*, actor, person: dict, site_id: int, loans: list[dict], agreement: dict | None,
                  png: bytes | None, now: datetime) -> int:
    digest = ""
    if agreement is not None and png is not None:
        record = signed_record(person=person, staff_id=actor.id, site_id=site_id, loans=loans,
                               agreement=agreement, now=now)
        digest = signature.signed_hash(record, png)
    handover_id = await db.fetchval(
        INSERT_HANDOVER, site_id, person["id"], actor.id, now, max(loan["due_at"] for loan in loans),
        agreement["id"] if agreement else None, agreement["version"] if agreement else None,
        agreement["text"] if agreement else "", png, digest)
    await db.fetch(INSERT_ITEMS, handover_id, [loan["booking"].id for loan in loans],
                   [json.dumps(loan["parts"]) for loan in loans])
    return handover_id
