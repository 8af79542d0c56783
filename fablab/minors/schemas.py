"""Request and response bodies of minors and consents (unknown fields refused)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from fablab.desk.schemas import SignatureIn
from fablab.domain.moments import check_body
from fablab.domain.schemas import Out

Cover = Literal["participation", "image_rights", "emergency_care"]
Short = Annotated[str, msgspec.Meta(max_length=200)]


class GuardianIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    relation: Annotated[str, msgspec.Meta(max_length=100)] = ""
    phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    email: Annotated[str, msgspec.Meta(max_length=320)] = ""


class GuardianOut(Out):
    id: int
    name: str
    relation: str
    phone: str
    email: str
    created_at: datetime


class ConsentIn(msgspec.Struct, forbid_unknown_fields=True):
    """`signature` (and `text_version`, the version shown): signed now on the staff phone by
    `guardian`; without it, a paper form staff received."""

    covers: Annotated[list[Cover], msgspec.Meta(min_length=1, max_length=3)]
    starts_on: date | None = None
    # Omitted: the end of the school year (31 August).
    expires_on: date | None = None
    guardian: int | None = None
    signature: SignatureIn | None = None
    text_version: int | None = None

    def __post_init__(self) -> None:
        check_body(self, days=("starts_on", "expires_on"))


class ConsentOut(Out):
    id: int
    site: str
    guardian: int | None
    guardian_name: str
    covers: list[str]
    starts_on: date
    expires_on: date
    method: str
    text_version: int | None
    text_seen: str
    signed: bool
    signed_hash: str
    recorded_at: datetime
    recorded_by: str | None
    revoked_at: datetime | None
    revoked_by: str | None
    reminded_at: datetime | None
    signature: str | None  # the signature image's path, when signed


class ConsentTextIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20000)]


class ConsentTextOut(Out):
    site: str
    version: int
    text: str
    created_at: datetime


class MinorPersonOut(Out):
    id: int
    name: str
    login: str
    role: str
    site: str | None
    birth_date: date | None
    birth_year: int | None


class MinorRecordOut(Out):
    """A minor's record as staff see it: guardians, consents, and what today's consents cover."""

    person: MinorPersonOut
    age: int | None
    minor: bool
    guardians: list[GuardianOut]
    consents: list[ConsentOut]
    covered_today: list[str]
    consent_text: ConsentTextOut | None


class ExpiringConsentOut(Out):
    id: int
    person: int
    person_name: str
    person_login: str
    site: str
    expires_on: date
    covers: list[str]
    guardian_name: str
    guardian_email: str | None
    reminded_at: datetime | None


class MinorsRetentionIn(msgspec.Struct, forbid_unknown_fields=True):
    days: Annotated[int, msgspec.Meta(ge=30, le=3650)]
