"""What minors and consents hold about a person (fablab/hooks/person_data.py): their guardians, the consents
given for them (with the drawn signature), and the consent texts an admin wrote. Kept no longer than
the minors' retention (shorter than the adults'), and gone with the person."""

from __future__ import annotations

from datetime import date, datetime

from fablab.minors import queries as q
from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyGuardianOut(Out):
    id: int
    name: str
    relation: str
    phone: str
    email: str
    created_at: datetime


class MyConsentOut(Out):
    id: int
    site: str
    guardian_name: str
    participation: bool
    image_rights: bool
    emergency_care: bool
    starts_on: date
    expires_on: date
    method: str
    text_version: int | None
    text_seen: str
    signed: bool
    signed_hash: str
    recorded_at: datetime
    revoked_at: datetime | None


# The guardian's name, phone and e-mail are the minor's data: they go with the minor (delete), and a
# consent, signature included, goes with them too; staff who recorded or revoked one are unlinked.
PERSON = (
    PersonTable(
        "consent", {"person_id": "delete", "recorded_by_id": "unlink", "revoked_by_id": "unlink"},
        personal=("guardian_name", "text_seen", "signature_png"), kept=("method", "signed_hash"),
        export=Export("consents", q.PERSON_CONSENTS, MyConsentOut), retention=q.RETAIN_CONSENTS,
        minors_retention=True),
    PersonTable(
        "guardian", {"person_id": "delete", "created_by_id": "unlink"},
        personal=("name", "relation", "phone", "email"),
        export=Export("guardians", q.PERSON_GUARDIANS, MyGuardianOut), retention=q.RETAIN_GUARDIANS,
        minors_retention=True),
    PersonTable(
        "consent_text", {"created_by_id": "unlink"}, kept=("text",),
        not_exported="a site's consent text, written for every guardian; it names nobody",
        kept_until="kept while the site keeps its consent texts: signed consents cite each version"),
)
