"""The erasure's statements, written from the domains' declarations (fablab/hooks/person_data.py).

Generated rather than hand-written on purpose: a table declared once is erased without anyone
editing this module. The identifiers come from the declarations in the code, never from a request.
"""

from __future__ import annotations

from fablab.hooks.person_data import PersonTable


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def erase_statements(declaration: PersonTable) -> list[str]:
    """The statements erasing the person ($1) from the table: rows deleted, or columns forgotten."""
    table, statements = _quoted(declaration.table), []
    for column, erasure in declaration.people.items():
        if erasure == "delete":
            statements.append(f"DELETE FROM {table} WHERE {_quoted(column)} = $1 RETURNING 1")
            continue
        assignments = [f"{_quoted(column)} = NULL"]
        if erasure == "forget":
            assignments += [f"{_quoted(text)} = ''" for text in declaration.personal]
        if declaration.also_set:
            assignments.append(declaration.also_set)
        statements.append(f"UPDATE {table} SET {', '.join(assignments)} WHERE {_quoted(column)} = $1 RETURNING 1")
    return statements


# A person erased while another request writes about them: the account's row is locked first, so
# a check-out, a ledger row or a new booking either lands before (and is erased) or finds no one.
LOCK_PERSON = "SELECT id, role, site_id FROM app_user WHERE id = $1 FOR UPDATE"
