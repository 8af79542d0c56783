"""The shape of the house: no module of fablab/ imports another in a cycle, and no domain imports
another domain's module inside a function (where a cycle hides from a reader).

Read from the source (ast), so it needs no database. Imports under `if TYPE_CHECKING:` are for
annotations only and never run: they are left out.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from tests.support.paths import ROOT

PACKAGE = ROOT / "fablab"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


# The packages under the domains: the domain's words and types, the platform, what the domains declare
# into. Their modules are imported from anywhere (inside a function too), as the top-level ones are.
SHARED = {"domain", "platform", "hooks"}


def domain_of(module: str) -> str | None:
    """fablab.<domain>.<module> belongs to a domain package; top-level modules (app, cli, tables...) and
    the shared packages (fablab.platform.db...) do not."""
    parts = module.split(".")
    return parts[1] if len(parts) >= 3 and parts[1] not in SHARED else None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(source: str, name: str, modules: dict[str, Path], *, is_package: bool = False
               ) -> list[tuple[str, bool, int]]:
    """(imported fablab module, imported inside a function?, line) for every import in the source
    of module `name`."""
    found: list[tuple[str, bool, int]] = []
    package = name if is_package else name.rpartition(".")[0]

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for rest in child.orelse:
                    visit(rest, in_function)
                continue
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from fablab.x import y`: y may be a module of the package or a name in it.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in child.names]
            for target in targets:
                if target.startswith("fablab") and (resolved := resolve(target)) is not None:
                    found.append((resolved, in_function, child.lineno))
            visit(child, inner)

    visit(ast.parse(source, filename=name), False)
    return found


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    """Every import between fablab's modules (wherever it is written), and the function-level
    imports of another domain's module."""
    modules = all_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    hidden: list[str] = []
    for name, path in modules.items():
        source = path.read_text(encoding="utf-8")
        for target, in_function, line in imports_of(source, name, modules, is_package=path.name == "__init__.py"):
            if target != name:
                graph[name].add(target)
            if in_function and domain_of(name) is not None and domain_of(target) not in (None, domain_of(name)):
                hidden.append(f"{path.relative_to(ROOT)}:{line} imports {target} inside a function")
    return graph, sorted(set(hidden))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_module_imports_another_in_a_cycle():
    graph, _ = import_graph()
    assert cycles(graph) == [], "import cycles between modules of fablab/"


def test_no_domain_imports_another_domain_inside_a_function():
    _, hidden = import_graph()
    assert hidden == []


def test_the_checks_see_a_cycle_and_a_hidden_import():
    # The checks themselves: a two-module cycle, and a function-level import across domains.
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from fablab.accounts import current\n"
              "from . import rules\n"
              "def f():\n    from fablab.bookings import service\n")
    modules = {name: PACKAGE for name in ("fablab.accounts.current", "fablab.bookings.service", "fablab.sites.rules")}
    assert imports_of(source, "fablab.sites.service", modules) == [
        ("fablab.sites.rules", False, 4), ("fablab.bookings.service", True, 6)]


# Where a domain's writes live: its service.py, or, once that grew into several use cases, one module
# per use case (bookings, issue 25), named here so that the shape stays a decision.
WRITES_BY_USE_CASE = {"bookings": {"create.py", "changes.py", "edits.py", "handover.py", "occurrences.py", "no_shows.py"}}


@pytest.mark.parametrize("package", ["sites", "bookings", "series", "waitlist"])
def test_booking_domains_have_one_shape(package):
    # Each domain package of the booking engine: routes, queries and schemas, and its writes.
    files = {p.name for p in (PACKAGE / package).iterdir()}
    assert {"routes.py", "queries.py", "schemas.py"} <= files
    assert WRITES_BY_USE_CASE.get(package, {"service.py"}) <= files
    assert package not in WRITES_BY_USE_CASE or "service.py" not in files, "one way or the other, not both"


def test_movement_has_one_writer():
    # An item's history is appended by fablab/movements alone (issue 25): the others log through it.
    writers = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                     if re.search(r"INSERT INTO movement\b|Movement\.insert\(", path.read_text(encoding="utf-8")))
    # The demo seed writes a month of history in one statement; it is data, not a workflow.
    assert writers == ["movements/log.py", "seed.py"]
