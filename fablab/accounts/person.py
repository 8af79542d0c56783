"""What the accounts domain holds about a person (fablab/hooks/person_data.py): the account itself, its
sites, trainings, sessions and invites."""

from __future__ import annotations

from datetime import date, datetime

from fablab.accounts import queries as q
from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out

ACCOUNT = "while the account exists; it goes with its erasure (POST /api/users/{id}/erase)"


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyAccountOut(Out):
    id: int
    login: str
    name: str
    email: str | None
    role: str
    site: str | None
    cohort: str
    active: bool
    birth_date: date | None
    birth_year: int | None
    activated: bool
    pass_shown: bool  # a desk pass was shown (its token is never stored, only its hash)
    created_at: datetime
    updated_at: datetime


class MyStaffSiteOut(Out):
    site: str
    granted_at: datetime


class MyCertificationOut(Out):
    training: str
    granted_at: datetime
    expires_at: datetime | None


class MySessionOut(Out):
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class MyInviteOut(Out):
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


PERSON = (
    PersonTable(
        "app_user", {"id": "delete"}, personal=("name", "login", "email", "cohort"), kept=("role",),
        secret=("password_hash", "pass_token_hash"), export=Export("account", q.PERSON_ACCOUNT, MyAccountOut, single=True), kept_until=ACCOUNT,
        reset=q.PERSON_NEW_PASS, erase_extra=(q.PERSON_LOGIN_ATTEMPTS,)),
    PersonTable("staff_site", {"user_id": "delete"}, export=Export("staff_sites", q.PERSON_STAFF_SITES, MyStaffSiteOut), kept_until=ACCOUNT),
    PersonTable(
        "certification", {"user_id": "delete", "granted_by_id": "unlink"},
        export=Export("certifications", q.PERSON_CERTIFICATIONS, MyCertificationOut), retention=q.RETAIN_CERTIFICATION_GRANTORS),
    PersonTable(
        "user_session", {"user_id": "delete"}, secret=("token_hash",), export=Export("sessions", q.PERSON_SESSIONS, MySessionOut),
        kept_until="a month after the session ends (job accounts.sweep)", reset=q.PERSON_END_SESSIONS),
    PersonTable(
        "invite", {"user_id": "delete", "created_by_id": "unlink"}, secret=("token_hash",),
        export=Export("invites", q.PERSON_INVITES, MyInviteOut), retention=q.RETAIN_INVITERS, reset=q.PERSON_REVOKE_INVITES),
)
