"""A site's loan agreement: written by an admin, a new version each time; and the admission check
that refuses a loan to a learner who has not signed it (issue 31)."""

from __future__ import annotations

from contextvars import ContextVar

from fablab.domain import codes
from fablab.hooks import admission
from fablab.platform import db
from fablab.platform.db import DB
from fablab.desk import queries
from fablab.domain.errors import DomainError
from fablab.sites.queries import require_site


class AgreementRequired(DomainError):
    """The learner must read and sign the site's agreement before this loan (422, with its text)."""

    status, code, title = 422, codes.AGREEMENT_REQUIRED, "The loan agreement must be signed first"


def agreement_out(row: dict) -> dict:
    return {"site": row["site"], "version": row["version"], "text": row["text"], "every_loan": row["every_loan"],
            "created_at": row["created_at"]}


async def current(slug: str) -> dict | None:
    """The site's current version; None while it has none (lending asks nothing then)."""
    site = await require_site(slug)
    row = await queries.current_agreement(site["id"])
    return None if row is None else agreement_out(row)


# The next version is taken under the site's agreement lock, so two admins saving at once get
# versions n and n+1, never a unique violation.
NEXT_VERSION = """
SELECT coalesce(max(version), 0) + 1 FROM loan_agreement WHERE site_id = $1
"""
INSERT = """
INSERT INTO loan_agreement (site_id, version, text, every_loan, created_by_id) VALUES ($1, $2, $3, $4, $5)
"""


async def write(*, actor, slug: str, text: str, every_loan: bool) -> dict:
    """A new version of the site's agreement (the old ones stay, as signed receipts cite them)."""
    site = await require_site(slug)
    async with DB.transaction():
        await db.fetchval("SELECT pg_advisory_xact_lock(hashtext('loan_agreement'), $1)", site["id"])
        version = await db.fetchval(NEXT_VERSION, site["id"])
        await db.fetchval(INSERT, site["id"], version, text.strip(), every_loan, actor.id)
    return await current(slug)


# Set by a hand-over for the learner it lends to: it asks for the signature itself, with the items
# and the return time, so the admission check below stands aside for its loans.
signing_for: ContextVar[int | None] = ContextVar("desk_signing_for", default=None)


def required(agreement: dict, **extra) -> AgreementRequired:
    return AgreementRequired(
        f"The learner has not signed version {agreement['version']} of the loan agreement.",
        agreement={"version": agreement["version"], "text": agreement["text"], "every_loan": agreement["every_loan"]},
        **extra)


def may_need_signature(t: admission.TakingSql) -> str:
    """ADMISSION's probe: the site has a loan agreement (CURRENT_AGREEMENT's test)."""
    return f"EXISTS (SELECT FROM loan_agreement a WHERE a.site_id = {t.site})"


async def agreement_signed(taking: admission.Taking) -> None:
    """A loan (any path: the single check-out too) needs the site's agreement signed: its current
    version once, or at every loan when the site says so. A hand-over in progress checks it itself."""
    if taking.what != "loan" or signing_for.get() == taking.person_id:
        return
    agreement = await queries.must_sign(taking.person_id, taking.site_id)
    if agreement is not None:
        raise required(agreement)
