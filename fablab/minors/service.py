"""Writes of minors and consents: guardians, a site's consent text (versioned), consents signed on
the staff phone or recorded from a paper form, revocations; each by staff of the person's site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fablab.accounts import scope
from fablab.domain import ages, clock, codes
from fablab.platform import db
from fablab.platform.db import DB
from fablab.desk import signature
from fablab.domain.errors import Conflict, InvalidInput, NotFound
from fablab.minors import queries, rules
from fablab.sites.queries import require_site


async def person_in_scope(actor, person_id: int) -> dict:
    """The person, when the caller is staff of their site (403 not_your_site otherwise)."""
    person = await queries.require_person(person_id)
    scope.require_site(actor, person["site_id"], "This person")
    return person


def local_day(person: dict, at: datetime | None = None) -> date:
    """The day it is (or `at` falls on) at the person's site."""
    return (at or clock.now()).astimezone(ZoneInfo(person["timezone"] or "Europe/Paris")).date()


def _no_such_guardian(guardian_id: int) -> NotFound:
    return NotFound(f"No guardian {guardian_id} for this person.", code=codes.UNKNOWN_GUARDIAN)


# Guardians and consents are for learners and participants (a birth date), never staff, nor visitors (an age band).
TAKEN_IN = ("learner", "participant")


def _check_minor(person: dict, day: date) -> None:
    if person["role"] not in TAKEN_IN or person["site_id"] is None:
        raise Conflict("Guardians and consents are for the learners and participants of a site.",
                       code=codes.NOT_A_MINOR)
    age = ages.age_on(day, person["birth_date"], person["birth_year"])
    if age is not None and age >= ages.ADULT_AGE:
        raise Conflict(f"{person['name']} is {age}: guardians and consents are for people under 18.",
                       code=codes.NOT_A_MINOR, age=age)


async def record(actor, person_id: int) -> dict:
    """A minor's record for staff: age, guardians, consents, what is covered today, the text to sign."""
    person = await person_in_scope(actor, person_id)
    today = local_day(person)
    site = person["site_id"]
    text = None if site is None else await queries.current_text(site)
    covered = await queries.covered_on(person_id, today)
    return {"person": person, "age": ages.age_on(today, person["birth_date"], person["birth_year"]),
            "minor": ages.is_minor(today, person["birth_date"], person["birth_year"]),
            "guardians": await queries.guardians(person_id), "consents": await queries.consents(person_id),
            "covered_today": [cover for cover in rules.CONSENT_COVERS if covered[cover]], "consent_text": text}


INSERT_GUARDIAN = """
INSERT INTO guardian (person_id, name, relation, phone, email, created_by_id) VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id
"""


async def add_guardian(*, actor, person_id: int, name: str, relation: str, phone: str, email: str) -> dict:
    person = await person_in_scope(actor, person_id)
    _check_minor(person, local_day(person))
    name, phone, email = name.strip(), phone.strip(), email.strip().lower()
    if not name:
        raise InvalidInput("The guardian needs a name.", code=codes.INVALID_INPUT)
    if not phone and not email:
        raise InvalidInput("A guardian needs a phone or an e-mail.", code=codes.GUARDIAN_UNREACHABLE)
    if email and "@" not in email:
        raise InvalidInput("This e-mail address is not valid.", code=codes.INVALID_INPUT)
    guardian_id = await db.fetchval(INSERT_GUARDIAN, person_id, name, relation.strip(), phone, email, actor.id)
    return await queries.require_guardian(guardian_id)


async def remove_guardian(*, actor, person_id: int, guardian_id: int) -> None:
    """The guardian goes; consents they signed stay with their name (guardian_id set to NULL)."""
    await person_in_scope(actor, person_id)
    guardian = await queries.require_guardian(guardian_id)
    if guardian["person_id"] != person_id:
        raise _no_such_guardian(guardian_id)
    await db.fetch("DELETE FROM guardian WHERE id = $1", guardian_id)


NEXT_TEXT_VERSION = "SELECT coalesce(max(version), 0) + 1 FROM consent_text WHERE site_id = $1"
INSERT_TEXT = "INSERT INTO consent_text (site_id, version, text, created_by_id) VALUES ($1, $2, $3, $4)"


async def write_text(*, actor, slug: str, text: str) -> dict:
    """A new version of the site's consent text (the old ones stay: signed consents cite them).
    Versions are taken under the site's lock, so two admins saving at once get n and n+1."""
    site = await require_site(slug)
    if not text.strip():
        raise InvalidInput("The consent text is empty.", code=codes.INVALID_INPUT)
    async with DB.transaction():
        await db.fetchval("SELECT pg_advisory_xact_lock(hashtext('consent_text'), $1)", site["id"])
        version = await db.fetchval(NEXT_TEXT_VERSION, site["id"])
        await db.fetchval(INSERT_TEXT, site["id"], version, text.strip(), actor.id)
    return await queries.current_text(site["id"])


@dataclass(frozen=True)
class ConsentGiven:
    covers: list[str]
    starts_on: date | None = None
    expires_on: date | None = None
    guardian_id: int | None = None
    # Signed on the staff phone: the PNG (signature.checked_png) and the text version shown.
    png: bytes | None = None
    text_version: int | None = None


INSERT_CONSENT = """
INSERT INTO consent (person_id, site_id, guardian_id, guardian_name, participation, image_rights, emergency_care,
                     starts_on, expires_on, method, text_id, text_version, text_seen, signature_png, signed_hash,
                     recorded_by_id, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id
"""


async def give(*, actor, person_id: int, given: ConsentGiven, now: datetime | None = None) -> dict:
    """A consent: signed by the guardian on the staff phone (png set: the current text, its version,
    the signature and a SHA-256 over them are kept) or a paper form staff received (who and when)."""
    now = now or clock.now()
    person = await person_in_scope(actor, person_id)
    _check_minor(person, local_day(person, now))
    flags = rules.checked_covers(given.covers)
    starts_on, expires_on = rules.checked_period(given.starts_on or local_day(person, now), given.expires_on)
    guardian = await _guardian_of(person_id, given.guardian_id)
    text, digest = None, ""
    if given.png is not None:
        if guardian is None:
            raise InvalidInput("Say which guardian signs.", code=codes.INVALID_CONSENT)
        text = await _text_to_sign(person["site_id"], given.text_version)
        digest = signature.signed_hash(
            {"person": person_id, "guardian": guardian["name"], "site": person["site_id"], "covers": flags,
             "starts_on": starts_on, "expires_on": expires_on, "text": text["text"], "version": text["version"],
             "at": now.isoformat(), "staff": actor.id}, given.png)
    consent_id = await db.fetchval(
        INSERT_CONSENT, person_id, person["site_id"], guardian and guardian["id"], guardian["name"] if guardian else "",
        flags["participation"], flags["image_rights"], flags["emergency_care"], starts_on, expires_on,
        "signed" if given.png is not None else "paper", text and text["id"], text and text["version"],
        text["text"] if text else "", given.png, digest, actor.id, now)
    return await queries.require_consent(consent_id)


async def _guardian_of(person_id: int, guardian_id: int | None) -> dict | None:
    if guardian_id is None:
        return None
    guardian = await queries.require_guardian(guardian_id)
    if guardian["person_id"] != person_id:
        raise _no_such_guardian(guardian_id)
    return guardian


async def _text_to_sign(site_id: int | None, shown_version: int | None) -> dict:
    text = None if site_id is None else await queries.current_text(site_id)
    if text is None:
        raise Conflict("The site has no consent text to sign yet: an admin writes it.", code=codes.NO_CONSENT_TEXT)
    if shown_version != text["version"]:
        raise Conflict(f"The consent text is now version {text['version']}: show it again before signing.",
                       code=codes.CONSENT_TEXT_CHANGED, consent_text={"version": text["version"], "text": text["text"]})
    return text


REVOKE = """
UPDATE consent SET revoked_at = $2, revoked_by_id = $3 WHERE id = $1 AND revoked_at IS NULL RETURNING id
"""


async def revoke(*, actor, consent_id: int) -> dict:
    consent = await queries.require_consent(consent_id)
    await person_in_scope(actor, consent["person_id"])
    if not await db.fetch(REVOKE, consent_id, clock.now(), actor.id):
        raise Conflict("This consent was already revoked.", code=codes.ALREADY_REVOKED)
    return await queries.require_consent(consent_id)


async def signature_png(*, actor, consent_id: int) -> bytes:
    row = await queries.signature(consent_id)
    if row is None or row["signature_png"] is None:
        raise NotFound(f"No signed consent {consent_id}.", code=codes.UNKNOWN_CONSENT)
    await person_in_scope(actor, row["person_id"])
    return row["signature_png"]
