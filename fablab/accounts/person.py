"""What the accounts domain holds about a person (fablab/person_data.py): the account itself, its
sites, trainings, sessions and invites."""

from fablab.accounts import queries as q
from fablab.person_data import PersonTable

ACCOUNT = "while the account exists; it goes with its erasure (POST /api/users/{id}/erase)"

PERSON = (
    PersonTable(
        "app_user", {"id": "delete"}, personal=("name", "login", "email", "cohort"), kept=("role",),
        secret=("password_hash", "pass_token_hash"), export=("account", q.PERSON_ACCOUNT), kept_until=ACCOUNT,
        reset=q.PERSON_NEW_PASS, erase_extra=(q.PERSON_LOGIN_ATTEMPTS,)),
    PersonTable("staff_site", {"user_id": "delete"}, export=("staff_sites", q.PERSON_STAFF_SITES), kept_until=ACCOUNT),
    PersonTable(
        "certification", {"user_id": "delete", "granted_by_id": "unlink"},
        export=("certifications", q.PERSON_CERTIFICATIONS), retention=q.RETAIN_CERTIFICATION_GRANTORS),
    PersonTable(
        "user_session", {"user_id": "delete"}, secret=("token_hash",), export=("sessions", q.PERSON_SESSIONS),
        kept_until="a month after the session ends (job accounts.sweep)", reset=q.PERSON_END_SESSIONS),
    PersonTable(
        "invite", {"user_id": "delete", "created_by_id": "unlink"}, secret=("token_hash",),
        export=("invites", q.PERSON_INVITES), retention=q.RETAIN_INVITERS, reset=q.PERSON_REVOKE_INVITES),
)
