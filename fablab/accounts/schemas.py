"""Request and response bodies of the accounts API.

Every input refuses unknown fields: a body carrying `role`, `site`, `id` or anything else the
endpoint does not take is a 400, never silently applied (mass assignment).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from fablab.domain.moments import check_body
from fablab.domain.vocabulary import TrainingValidity

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Cohort = Annotated[str, msgspec.Meta(max_length=100)]
# Logins are typed on phones: short, no spaces, case-insensitive (checked again in the service).
Login = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
# Long enough for any passphrase, short enough that hashing it costs nothing unusual.
Password = Annotated[str, msgspec.Meta(max_length=1024)]
SiteSlug = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    login: Annotated[str, msgspec.Meta(max_length=200)]
    password: Password


class UserOut(msgspec.Struct):
    id: int
    login: str
    name: str
    role: str
    site: str | None
    cohort: str = ""
    active: bool = True
    # Staff and admins: the sites they act for (an admin: every site); learners: none.
    sites: list[str] = msgspec.field(default_factory=list)


class _Account(msgspec.Struct):
    """Who an account is, as the lists and the desk show it."""

    id: int
    login: str
    name: str
    role: str
    site: str | None
    cohort: str


class UserListItem(_Account):
    active: bool
    activated: bool  # has set a password through an invite


class CertificationOut(msgspec.Struct):
    training_id: int
    training: str
    granted_at: datetime
    expires_at: datetime | None   # an end staff set at the grant
    granted_by: str | None
    expired: bool
    # When it ends by the training's validity or expires_at, whichever first (None: never); the
    # last booking of what it unlocks (an idle limit counts from it).
    validity: str = "forever"
    ends_at: datetime | None = None
    ends_soon: bool = False
    last_used_at: datetime | None = None


class UserDetail(UserListItem):
    sites: list[str]  # staff and admins: the sites they act for (an admin: every site)
    created_at: datetime
    certifications: list[CertificationOut]
    invite_expires_at: datetime | None  # the pending invite, if any
    # Seconds before the next sign-in attempt is allowed after wrong passwords (0: now); staff unlock.
    login_wait_seconds: int = 0


class InviteOut(msgspec.Struct):
    """The one time the invite token is shown: staff display the QR for the learner's phone."""

    url: str
    token: str
    expires_at: datetime
    qr_svg: str


class CreatedUserOut(msgspec.Struct):
    user: UserDetail
    invite: InviteOut


class UserIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    login: Login
    role: Literal["learner", "staff"] = "learner"
    site: SiteSlug | None = None  # staff: their own site when absent
    cohort: Cohort = ""


class UserPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Role, site and login are not here: nobody changes them through the API."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    cohort: Cohort | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class SitesIn(msgspec.Struct, forbid_unknown_fields=True):
    """The sites a staff account acts for (admins only), replacing the previous list."""

    sites: Annotated[list[SiteSlug], msgspec.Meta(max_length=100)]


class ImportRowOut(msgspec.Struct, omit_defaults=True):
    line: int
    login: str
    status: Literal["created", "error"]
    code: str | None = None
    detail: str | None = None
    user_id: int | None = None
    invite: InviteOut | None = None
    name: str = ""  # name and cohort as in the file: the invite sheet prints them
    cohort: str = ""


class ImportOut(msgspec.Struct):
    created: int
    errors: int
    rows: list[ImportRowOut]


class InviteInfoOut(msgspec.Struct):
    name: str
    login: str
    expires_at: datetime


class AcceptInviteIn(msgspec.Struct, forbid_unknown_fields=True):
    password: Password


class PassOut(msgspec.Struct):
    token: str
    url: str  # what the QR encodes: opens the pass page when scanned with a camera app
    svg: str
    code: str  # "42-K7P4QX": typed at the desk when the camera fails (issue 28); changes with the pass


class PassHolderOut(_Account):
    certifications: list[CertificationOut]
    # A learner of another site showing their pass at this desk (issue 28): lendable the desk's own
    # items, seen by name and home site only (no cohort, no trainings).
    visiting: bool = False
    site_name: str = ""  # a visitor's home site, as the desk names it


class TrainingOut(msgspec.Struct):
    id: int
    name: str
    description: str
    validity: str = "forever"
    valid_days: int | None = None
    valid_until: date | None = None
    idle_days: int | None = None


class TrainingValidityIn(msgspec.Struct, forbid_unknown_fields=True):
    """How long a certification of this training stays valid (vocabulary.TRAINING_VALIDITIES)."""
    validity: TrainingValidity
    valid_days: Annotated[int, msgspec.Meta(ge=1, le=3660)] | None = None
    valid_until: date | None = None
    idle_days: Annotated[int, msgspec.Meta(ge=1, le=3660)] | None = None


class TrainingIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class CertificationIn(msgspec.Struct, forbid_unknown_fields=True):
    training_id: int
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        check_body(self, instants=("expires_at",))


class RetentionIn(msgspec.Struct, forbid_unknown_fields=True):
    days: Annotated[int, msgspec.Meta(ge=30, le=3650)]


class RetentionOut(msgspec.Struct):
    days: int
    is_default: bool


class CohortInvitesIn(msgspec.Struct, forbid_unknown_fields=True):
    cohort: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    site: SiteSlug | None = None  # staff: their own site when absent


class InvitedUserOut(msgspec.Struct):
    id: int
    name: str
    login: str
    cohort: str


class CohortInviteOut(msgspec.Struct):
    user: InvitedUserOut
    invite: InviteOut


class CohortInvitesOut(msgspec.Struct):
    """A printable sheet: one new invite per learner of the cohort who has not activated yet."""

    cohort: str
    invites: list[CohortInviteOut]
