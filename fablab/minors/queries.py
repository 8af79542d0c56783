"""Reads of minors and consents: a person's guardians and consents, what covers them on a day, a
site's consent text, the consents about to expire, and a person's data for the export and retention."""

from __future__ import annotations

from datetime import date

from fablab.domain import codes
from fablab.platform import db
from fablab.domain.errors import NotFound

# The person as the admission checks see them: what is known of their birth, and the day an instant
# ($2) falls on in the site's ($3) time zone (a consent is for days, at the site's clock). Raw: every
# booking, loan and sign-up reads it, with the site's time zone in the same round trip.
# What the admission checks need of a person taking something, in one round trip (they run inside
# every booking's and loan's transaction, under its locks): their birth, the day in the site's time,
# and the minimum age of the unit's policy (its own, else its site's for its kind; $4 and $5 NULL for a
# workshop). Raw: two tables and a policy lookup in one statement.
PERSON_ON_DAY = """
SELECT u.birth_date, u.birth_year, (($2::timestamptz) AT TIME ZONE s.timezone)::date AS day,
       (SELECT p.min_age FROM policy p
         WHERE p.resource_id = $4 OR (p.site_id = $3 AND p.kind = $5 AND p.resource_id IS NULL)
         ORDER BY p.resource_id NULLS LAST LIMIT 1) AS min_age
FROM app_user u, site s WHERE u.id = $1 AND s.id = $3
"""

# What the person's valid consents cover on a day ($2): a consent counts from starts_on to expires_on,
# both included, until it is revoked. Raw: one aggregate over the person's few rows (their index).
COVERED_ON = """
SELECT coalesce(bool_or(participation), false) AS participation,
       coalesce(bool_or(image_rights), false) AS image_rights,
       coalesce(bool_or(emergency_care), false) AS emergency_care,
       EXISTS (SELECT 1 FROM guardian g WHERE g.person_id = $1) AS has_guardian
FROM consent WHERE person_id = $1 AND revoked_at IS NULL AND starts_on <= $2 AND expires_on >= $2
"""


def lacks_image_rights(person: str, day: str) -> str:
    """A SQL test (for another domain's list) that the person ($person, a column) is a minor on `day`
    (a date expression) without a valid consent to image rights: they must not be photographed.
    Adults are not marked: their own consent is not a guardian's to give. The year alone counts as
    the youngest the person can be (fablab/domain/ages.py)."""
    return f"""(CASE WHEN {person} IS NULL THEN false ELSE (
        SELECT CASE
            WHEN u.birth_date IS NOT NULL THEN age({day}, u.birth_date) < interval '18 years'
            WHEN u.birth_year IS NOT NULL THEN {day} < make_date(u.birth_year + 18, 12, 31)
            ELSE false END
        FROM app_user u WHERE u.id = {person}) AND NOT EXISTS (
        SELECT 1 FROM consent c WHERE c.person_id = {person} AND c.image_rights AND c.revoked_at IS NULL
          AND c.starts_on <= {day} AND c.expires_on >= {day}) END)"""


# A loan made for a booking a trainer made for the person (a min age yields to it): the person's
# booking of that unit that holds it now.
TRAINER_BOOKED = """
SELECT EXISTS (
  SELECT 1 FROM booking b JOIN app_user m ON m.id = b.created_by_id
  WHERE b.user_id = $1 AND b.resource_id = $2 AND b.status IN ('confirmed', 'checked_out')
    AND b.starts_at <= $3 AND b.ends_at > $3 AND b.created_by_id <> $1 AND m.role IN ('staff', 'admin'))
"""

async def person_on_day(person_id: int, at, site_id: int, resource_id: int | None = None,
                        kind: str | None = None) -> dict | None:
    return await db.fetchone(PERSON_ON_DAY, person_id, at, site_id, resource_id, kind)


async def covered_on(person_id: int, day: date) -> dict:
    return await db.fetchone(COVERED_ON, person_id, day)


PERSON = """
SELECT u.id, u.name, u.login, u.role, u.site_id, s.slug AS site, s.timezone, u.birth_date, u.birth_year, u.email,
       u.active
FROM app_user u LEFT JOIN site s ON s.id = u.site_id WHERE u.id = $1 AND u.anonymised_at IS NULL
"""


async def require_person(person_id: int) -> dict:
    row = await db.fetchone(PERSON, person_id)
    if row is None:
        raise NotFound(f"No user {person_id}.", code=codes.UNKNOWN_USER)
    return row


GUARDIANS = """
SELECT id, name, relation, phone, email, created_at FROM guardian WHERE person_id = $1 ORDER BY created_at, id
"""
GUARDIAN = "SELECT id, person_id, name, relation, phone, email, created_at FROM guardian WHERE id = $1"

# Newest first; the signature itself is served on its own (it is an image, not a field of a list).
CONSENTS = """
SELECT c.id, c.person_id, s.slug AS site, c.guardian_id, c.guardian_name, c.participation, c.image_rights,
       c.emergency_care, c.starts_on, c.expires_on, c.method, c.text_version, c.text_seen,
       c.signature_png IS NOT NULL AS signed, c.signed_hash, c.recorded_at, r.name AS recorded_by,
       c.revoked_at, v.name AS revoked_by, c.reminded_at
FROM consent c JOIN site s ON s.id = c.site_id
LEFT JOIN app_user r ON r.id = c.recorded_by_id LEFT JOIN app_user v ON v.id = c.revoked_by_id
WHERE {where} ORDER BY c.recorded_at DESC, c.id DESC
"""


async def guardians(person_id: int) -> list[dict]:
    return await db.fetch(GUARDIANS, person_id)


async def require_guardian(guardian_id: int) -> dict:
    row = await db.fetchone(GUARDIAN, guardian_id)
    if row is None:
        raise NotFound(f"No guardian {guardian_id}.", code=codes.UNKNOWN_GUARDIAN)
    return row


async def consents(person_id: int) -> list[dict]:
    return await db.fetch(CONSENTS.format(where="c.person_id = $1"), person_id)


async def require_consent(consent_id: int) -> dict:
    row = await db.fetchone(CONSENTS.format(where="c.id = $1"), consent_id)
    if row is None:
        raise NotFound(f"No consent {consent_id}.", code=codes.UNKNOWN_CONSENT)
    return row


SIGNATURE = "SELECT person_id, signature_png FROM consent WHERE id = $1"


async def signature(consent_id: int) -> dict | None:
    return await db.fetchone(SIGNATURE, consent_id)


# The current version is the highest (the unique (site_id, version) index serves it backwards).
CURRENT_TEXT = """
SELECT t.id, t.version, t.text, t.created_at, s.slug AS site
FROM consent_text t JOIN site s ON s.id = t.site_id
WHERE t.site_id = $1 ORDER BY t.version DESC LIMIT 1
"""


async def current_text(site_id: int) -> dict | None:
    return await db.fetchone(CURRENT_TEXT, site_id)


# Consents of a site's people ending within the window [$2, $3], not revoked, and not already
# followed by a newer consent of the same person covering the day after (renewed: nothing to do).
EXPIRING = """
SELECT c.id, c.person_id, u.name AS person_name, u.login AS person_login, s.slug AS site, c.expires_on,
       c.participation, c.image_rights, c.emergency_care, c.guardian_name, g.email AS guardian_email,
       c.reminded_at
FROM consent c JOIN app_user u ON u.id = c.person_id JOIN site s ON s.id = c.site_id
LEFT JOIN guardian g ON g.id = c.guardian_id
WHERE c.revoked_at IS NULL AND c.expires_on BETWEEN $2 AND $3 AND ($1::int[] IS NULL OR c.site_id = ANY($1))
  AND NOT EXISTS (SELECT 1 FROM consent n WHERE n.person_id = c.person_id AND n.revoked_at IS NULL
                  AND n.id <> c.id AND n.starts_on <= c.expires_on + 1 AND n.expires_on > c.expires_on)
ORDER BY c.expires_on, u.name, c.id
"""


async def expiring(site_ids: list[int] | None, first: date, last: date) -> list[dict]:
    return await db.fetch(EXPIRING, site_ids, first, last)


# --- A person's data (fablab/minors/person.py declares what each statement is for) --------------
PERSON_GUARDIANS = """
SELECT g.id, g.name, g.relation, g.phone, g.email, g.created_at FROM guardian g WHERE g.person_id = $1
ORDER BY g.created_at, g.id
"""
PERSON_CONSENTS = """
SELECT c.id, s.slug AS site, c.guardian_name, c.participation, c.image_rights, c.emergency_care, c.starts_on,
       c.expires_on, c.method, c.text_version, c.text_seen, c.signature_png IS NOT NULL AS signed, c.signed_hash,
       c.recorded_at, c.revoked_at
FROM consent c JOIN site s ON s.id = c.site_id WHERE c.person_id = $1 ORDER BY c.recorded_at, c.id
"""
# After the minors' retention ($1 the cutoff, the later of the general one and the minors' own): a
# consent that ended (expired or revoked) before it goes, with its signature.
RETAIN_CONSENTS = """
DELETE FROM consent
WHERE (expires_on < ($1::timestamptz)::date OR revoked_at < $1)
RETURNING id
"""
# A guardian whose minor has no consent left and who was added before the cutoff goes too.
RETAIN_GUARDIANS = """
DELETE FROM guardian g
WHERE g.created_at < $1 AND NOT EXISTS (SELECT 1 FROM consent c WHERE c.person_id = g.person_id)
RETURNING g.id
"""
