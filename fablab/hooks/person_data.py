"""The declaration a domain makes about the people its tables hold (GDPR), read by fablab/people.

Every table with a column that references app_user is declared once, by the domain that owns it,
in that domain's `person.py` (its `PERSON` tuple), the way its routes and jobs are in `ROUTES` and
`JOBS`. fablab/people/registry.py gathers them; the export, the anonymisation after the retention
period, the erasure of one person, the deactivation and the access reset are all read from them,
so a new table is handled by declaring it, not by editing five workflows.
tests/test_person_schema_coverage.py reads the live schema and fails on a column nobody declared.

This module is kernel: it imports no domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# What erasing a person does to a row naming them in a column: the row goes ("delete": it only
# mattered to them, like a session); or it stays and forgets them, so that counts, stock and machine
# hours stay true: "forget" sets the column to NULL and clears the row's personal text (the row is
# about them: their booking, their note at the desk), "unlink" only sets the column to NULL (they
# acted on someone else's row: the staff who created a booking keeps out of the learner's purpose).
Erasure = Literal["delete", "forget", "unlink"]


@dataclass(frozen=True)
class Export:
    """A section of a person's export (GET /api/me/data): its name, the SQL listing the person's
    rows ($1 their id), and the typed shape of a row; `single`: one row or none (their account)."""

    section: str
    sql: str
    shape: type
    single: bool = False


@dataclass(frozen=True)
class PersonTable:
    """One table's part in a person's life. SQL here takes `$1` (the person's id, or for
    `retention` the cutoff time) and is the owning domain's, named in its queries.py."""

    table: str
    # Columns referencing app_user (or app_user's own id) and what an erasure does with each.
    people: dict[str, Erasure]
    # Free text that may say something about the people of the row: cleared ('') when it forgets them.
    personal: tuple[str, ...] = ()
    # Text that names nobody (kinds, statuses, codes, tags) — said so, so that the coverage test knows.
    kept: tuple[str, ...] = ()
    # Hashes and keys: never exported; they go with the row or are cleared by the reset.
    secret: tuple[str, ...] = ()
    # The section of the export holding the person's rows, and their shape; None: `not_exported` says why.
    export: Export | None = None
    not_exported: str = ""
    # SQL forgetting people in rows older than the cutoff ($1), RETURNING one row per row changed;
    # None: `kept_until` says when the rows go instead.
    retention: str | None = None
    # Minors and consents (issue 30): `retention` runs with the minors' cutoff (their shorter retention,
    # an admin's setting; never longer than the general one).
    minors_retention: bool = False
    kept_until: str = ""
    # visitors (issue 30): SQL forgetting people on a clock of the domain's own rather than the
    # retention period's ($1 now; it reads its own delay), RETURNING one row per person forgotten.
    # Run by the same job, after the retention.
    expiry: str | None = None
    # SQL ending what lets the person in or reaches them ($1 their id): run by an access reset
    # (a new invite) and by a deactivation.
    reset: str | None = None
    # SQL run by a deactivation only, after `reset` ($1 their id).
    deactivate: str | None = None
    # SQL ending what a staff member held through sites taken back from them ($1 their id, $2 the ids
    # of the sites they keep): run when an admin changes their sites.
    leave_sites: str | None = None
    # (error code, SQL counting what the person holds now): an erasure is refused while it is > 0.
    holds: tuple[str, str] | None = None
    # SQL run first when the person is erased ($1 their id): e.g. their future bookings are withdrawn.
    before_erase: str | None = None
    # Extra assignments made whenever a row forgets someone (e.g. bump a booking's calendar SEQUENCE).
    also_set: str = ""
    # Rows of other tables that hold the person by value rather than by reference (login attempts
    # keyed by login): SQL run on erasure with $1 their id.
    erase_extra: tuple[str, ...] = field(default_factory=tuple)

    def columns(self) -> set[str]:
        return set(self.people) | set(self.personal) | set(self.kept) | set(self.secret)
