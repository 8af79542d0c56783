"""What the inventory domain holds about a person (fablab/person_data.py): the custody log (as
holder or as staff) and the counts staff started."""

from fablab.inventory import queries as q
from fablab.person_data import PersonTable

PERSON = (
    PersonTable(
        "movement", {"holder_id": "forget", "staff_id": "forget"}, personal=("note",), kept=("kind", "condition"),
        export=("movements", q.PERSON_MOVEMENTS), retention=q.RETAIN_MOVEMENTS),
    # The report holds tags and counts, nobody's name (fablab/inventory/audits.py).
    PersonTable("audit", {"started_by_id": "unlink"}, kept=("report",), export=("audits", q.PERSON_AUDITS),
                retention=q.RETAIN_AUDITS),
)
