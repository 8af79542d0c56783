"""What the consumables domain holds about a person (fablab/person_data.py): the ledger rows charged
to them or written by them, and the print outcomes of their bookings or recorded by them."""

from fablab.consumables import queries as q
from fablab.person_data import PersonTable

PERSON = (
    PersonTable(
        "consumable_movement", {"user_id": "forget", "staff_id": "forget"}, personal=("note",), kept=("kind",),
        export=("consumable_movements", q.PERSON_CONSUMABLE_MOVEMENTS), retention=q.RETAIN_CONSUMABLE_MOVEMENTS),
    PersonTable("print_log", {"staff_id": "unlink"}, kept=("outcome",), export=("print_logs", q.PERSON_PRINT_LOGS),
                retention=q.RETAIN_PRINT_LOGS),
)
