"""What the desk's workflows hold about a person (fablab/hooks/person_data.py): the hand-overs they
received (with their drawn signature) or made, and the agreement texts an admin wrote."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fablab.desk import queries as q
from fablab.hooks.person_data import Export, PersonTable
from fablab.domain.schemas import Out


# What the export shows of each section (GET /api/me/data): typed, so a column a query adds without
# a field here fails the tests instead of vanishing from the answer.
class MyHandoverOut(Out):
    """A hand-over at the desk (fablab/desk): received as the learner, or made as staff."""
    id: int
    site: str
    at: datetime
    due_at: datetime
    agreement_version: int | None
    agreement_text: str
    signed: bool
    signed_hash: str
    involvement: Literal["learner", "staff"]
    items: list[str] | None


PERSON = (
    PersonTable(
        "handover", {"user_id": "forget", "staff_id": "unlink"}, personal=("signature_png",),
        kept=("agreement_text", "signed_hash"), export=Export("handovers", q.PERSON_HANDOVERS, MyHandoverOut),
        retention=q.RETAIN_HANDOVERS),
    PersonTable(
        "loan_agreement", {"created_by_id": "unlink"}, kept=("text",),
        not_exported="a site's agreement text, written for everyone; it names nobody",
        kept_until="kept while the site keeps its agreements: signed receipts cite each version"),
)
