"""The tests whose outcome depends on the PostgreSQL version carry the `pg_engine` mark, so that .ci/run
runs them again on the machine's PostgreSQL 15 after the whole suite ran on the embedded 18.

What depends on the engine: migrations forwards and backwards, constraints (exclusion, CHECK, unique,
foreign keys) and the catalogue read to compare them, triggers, SQLSTATEs and how asyncpg maps them,
lock waits and deadlocks, backup and restore. A module that touches any of these and carries no mark
fails here, so a new one cannot be forgotten."""

import ast
import re
from pathlib import Path

import pytest

from tests.support.paths import ROOT

AREAS = {
    "migrations": r"migrate_forwards|migrate_backwards|\"migrate\"|schema_00\d\d",
    "constraints": r"CheckViolation|ExclusionViolation|UniqueViolation|ForeignKeyViolation|NotNullViolation"
                   r"|pg_constraint|information_schema|booking_no_overlap|\bEXCLUDE\b",
    "triggers": r"append-only|append_only|\bTRIGGER\b|RaiseError|\btrigger",
    "sqlstates": r"sqlstate|SQLSTATE|asyncpg\.exceptions|asyncpg\.[A-Z]\w+Error|DiskFull|QueryCanceled"
                 r"|LockNotAvailable|deadlock",
    "backup": r"pg_dump|pg_restore|\"backup\"|\"restore\"",
}
# Modules that touch those areas only on PostgreSQL clusters of their own, started from the embedded
# package (always version 18) in a temporary data dir: FABLAB_TEST_PG never reaches them, so a second
# run would test the very same engine again.
NOT_ON_THE_SUITES_DATABASE = {
    "tests/platform/test_fault.py": "a scratch cluster in tmp_path (tests.support.cluster)",
    "tests/platform/test_lifecycle_storage.py": "the app's own cluster in a data dir per test",
}
# This module names every pattern itself, and depends on no engine.
TEST_MODULES = sorted(path for path in (ROOT / "tests").rglob("test_*.py") if path.resolve() != Path(__file__).resolve())


def areas_touched(source: str) -> list[str]:
    return [area for area, pattern in AREAS.items() if re.search(pattern, source)]


def _marks_in(node: ast.AST) -> set[str]:
    return {sub.attr for sub in ast.walk(node)
            if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Attribute) and sub.value.attr == "mark"}


def module_marks(tree: ast.Module) -> set[str]:
    """The marks of the module's `pytestmark` (a mark or a list of marks), and those its test functions
    carry themselves: a module whose other tests run on clusters of their own marks only the tests that
    use the suite's database."""
    marks = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "pytestmark" for t in node.targets):
            marks |= _marks_in(node.value)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            for decorator in node.decorator_list:
                marks |= _marks_in(decorator)
    return marks


@pytest.mark.parametrize("path", TEST_MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_module_that_depends_on_the_engine_carries_the_mark(path: Path):
    relative = str(path.relative_to(ROOT))
    source = path.read_text()
    touched = areas_touched(source)
    if not touched or relative in NOT_ON_THE_SUITES_DATABASE:
        return
    assert "pg_engine" in module_marks(ast.parse(source)), (
        f"{relative} touches {', '.join(touched)}: add `pytestmark = pytest.mark.pg_engine` (or add it to the "
        "module's pytestmark list) so .ci/run runs it on the second PostgreSQL too")


def test_the_exemptions_still_exist_and_still_touch_the_engine():
    for relative in NOT_ON_THE_SUITES_DATABASE:
        assert areas_touched((ROOT / relative).read_text()), f"{relative} no longer needs its exemption"


def test_the_check_sees_what_it_claims():
    marked = ast.parse("import pytest\npytestmark = [pytest.mark.server, pytest.mark.pg_engine]\n")
    assert module_marks(marked) == {"server", "pg_engine"}
    one_test = ast.parse("import pytest\n@pytest.mark.pg_engine\nasync def test_a_lock(demo):\n    pass\n")
    assert module_marks(one_test) == {"pg_engine"}
    assert areas_touched("with pytest.raises(asyncpg.ExclusionViolationError):") == ["constraints", "sqlstates"]
    assert areas_touched("def test_a_booking_and_its_room(learner):") == []
