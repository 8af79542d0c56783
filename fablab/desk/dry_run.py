"""A desk workflow's dry run: every check and write runs in its transaction, then all is rolled back."""

from __future__ import annotations


class RolledBack(Exception):
    """Raised at the end of a dry run's transaction so that everything rolls back; carries the answer."""

    def __init__(self, result: dict) -> None:
        super().__init__("dry run")
        self.result = result
