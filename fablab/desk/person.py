"""What the desk's workflows hold about a person (fablab/person_data.py): the hand-overs they
received (with their drawn signature) or made, and the agreement texts an admin wrote."""

from fablab.desk import queries as q
from fablab.person_data import PersonTable

PERSON = (
    PersonTable(
        "handover", {"user_id": "forget", "staff_id": "unlink"}, personal=("signature_png",),
        kept=("agreement_text", "signed_hash"), export=("handovers", q.PERSON_HANDOVERS),
        retention=q.RETAIN_HANDOVERS),
    PersonTable(
        "loan_agreement", {"created_by_id": "unlink"}, kept=("text",),
        not_exported="a site's agreement text, written for everyone; it names nobody",
        kept_until="kept while the site keeps its agreements: signed receipts cite each version"),
)
