"""Bodies of a person's routes: their data (GDPR right of access) and the answer to an erasure.

The export's sections and their shapes are the domains' (fablab/*/person.py, `Export`): the body
is assembled from the registry's declarations, so a new domain's data reaches the export, its
OpenAPI schema and its tests by being declared, without an edit here. Out refuses unknown fields,
so a column a query adds without a field in its shape fails the tests instead of silently
dropping out of the export.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from fablab.people.registry import TABLES
from fablab.domain.schemas import Out


def _sections() -> list[tuple[str, object]]:
    fields: list[tuple[str, object]] = [("exported_at", datetime)]
    for declaration in TABLES:
        export = declaration.export
        if export is not None:
            fields.append((export.section, export.shape | None if export.single else list[export.shape]))
    return fields


PersonalDataOut = msgspec.defstruct("PersonalDataOut", _sections(), bases=(Out,), module=__name__)


class ErasedTableOut(Out):
    table: str
    rows: int  # rows deleted, or that forgot the person


class ErasureOut(Out):
    """What an erasure did: the person's account is gone, and each table's rows that changed."""

    user_id: int
    erased_at: datetime
    tables: list[ErasedTableOut]
