"""Error codes are named once (fablab/domain/codes.py), and the web app can say each one in French and English.

Read from the source (ast) and the dictionaries (node): no database needed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fablab.domain import codes
from fablab.platform.problems import CONSTRAINT_CODES, HTTP_CODES
from tests.support.wording import app_dictionaries
from tests.support.paths import ROOT

CODES_MODULE = ROOT / "fablab" / "domain" / "codes.py"


@pytest.fixture(scope="module")
def messages() -> dict[str, set[str]]:
    dictionaries = app_dictionaries()
    if dictionaries is None:
        pytest.skip("node is not installed")
    return {lang: {key.split(".", 1)[1] for key in tree if key.startswith("errors.")}
            for lang, tree in dictionaries.items()}


def is_text(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _class_code_literals(node: ast.ClassDef) -> list[int]:
    """Lines where a class body sets `code` (alone, or in `status, code, title = ...`) to a string."""
    lines = []
    for statement in node.body:
        if not isinstance(statement, ast.Assign):
            continue
        for target in statement.targets:
            if isinstance(target, ast.Name) and target.id == "code" and is_text(statement.value):
                lines.append(statement.lineno)
            elif isinstance(target, ast.Tuple) and isinstance(statement.value, ast.Tuple):
                for name, value in zip(target.elts, statement.value.elts):
                    if isinstance(name, ast.Name) and name.id == "code" and is_text(value):
                        lines.append(statement.lineno)
    return lines


def code_literals(source: str) -> list[int]:
    """Lines of `source` that write an error code as a bare string: `code="..."` in a call, a
    class's `code = "..."`, a problem dict's `"code": "..."`, or `problem(status, "...", ...)`."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            lines += [node.lineno for keyword in node.keywords if keyword.arg == "code" and is_text(keyword.value)]
            if isinstance(node.func, ast.Name) and node.func.id == "problem" and len(node.args) > 1 and is_text(node.args[1]):
                lines.append(node.lineno)
        elif isinstance(node, ast.ClassDef):
            lines += _class_code_literals(node)
        elif isinstance(node, ast.Dict):
            lines += [node.lineno for key, value in zip(node.keys, node.values) if is_text(key) and key.value == "code"
                      and is_text(value)]
        elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "code":
            lines += [node.lineno for right in node.comparators if is_text(right)]
    return lines


def test_every_code_in_fablab_is_a_named_constant():
    found = {f"{path.relative_to(ROOT)}:{line}" for path in (ROOT / "fablab").rglob("*.py") if path != CODES_MODULE
             for line in code_literals(path.read_text())}
    assert sorted(found) == [], "use a constant of fablab/domain/codes.py"


def test_the_check_finds_each_way_of_writing_a_bare_code():
    source = '''
class Refused(DomainError):
    status, code, title = 409, "refused", "Refused"
class Other(DomainError):
    code = "other"
raise Conflict("x", code="taken")
body = {"detail": "x", "code": "invalid_thing"}
problem(400, "bad", "Bad", "detail")
if error.code == "quota_exceeded": pass
raise Conflict("x", code=codes.CONFLICT)
'''
    assert code_literals(source) == [3, 5, 6, 7, 8, 9]


def test_every_code_has_a_french_and_an_english_message(messages):
    assert sorted(codes.all_codes() - messages["fr"]) == []
    assert sorted(codes.all_codes() - messages["en"]) == []


def test_the_tables_that_map_errors_to_codes_use_known_codes():
    mapped = {code for code, _ in CONSTRAINT_CODES.values()} | set(HTTP_CODES.values())
    assert sorted(mapped - codes.all_codes()) == []


def test_each_code_is_written_once():
    values = [value for name, value in vars(codes).items() if name.isupper() and isinstance(value, str)]
    assert len(values) == len(set(values))
    assert all(name == value.upper() for name, value in vars(codes).items() if name.isupper() and isinstance(value, str))


def test_old_spellings_are_gone_from_the_app(messages):
    """`site_not_found` is `unknown_site`, `invalid_kind` is `unknown_kind`; other_site went with issue 16."""
    for gone in ("site_not_found", "invalid_kind", "other_site"):
        assert gone not in codes.all_codes()
        assert gone not in messages["fr"] and gone not in messages["en"]
