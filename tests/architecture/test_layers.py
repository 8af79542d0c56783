"""The layers of fablab/, package by package: a package imports its own layer and the layers below,
never one above (docs/ARCHITECTURE.md, "Layers"). Today's exceptions are listed as debts, each
with its reason; the list is a ratchet: a new upward import fails, and so does a debt paid off
but still listed, so the list only shrinks.

A "package" is a package of fablab/ (fablab/bookings/, fablab/platform/: its modules import one another
freely, tests/architecture/test_imports.py keeps them free of cycles) or a top-level module
(fablab/tables.py). Read
from the source (ast), so no database is needed. Imports under `if TYPE_CHECKING:` never run and
are left out, as in tests/architecture/test_imports.py. `python -m tests.architecture.test_layers` prints the package-level
import graph and what crosses the layers.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "fablab"

# Lowest first. A package may import packages of its own layer and of the layers before it.
LAYERS: list[tuple[str, list[str]]] = [
    ("the domain's words and types", ["domain"]),
    ("platform", ["platform", "tables", "piccolo_app", "piccolo_conf", "web"]),
    ("what the domains declare into", ["hooks"]),
    ("sites", ["sites"]),
    ("accounts", ["accounts"]),
    ("an item's history and label", ["movements"]),
    ("bookings", ["bookings"]),
    ("waitlist and series", ["waitlist", "series"]),
    ("the desk and what it lends and uses", ["inventory", "parts", "maintenance", "consumables", "late"]),
    ("the desk's workflows", ["desk"]),
    ("the FabLab solidaire programme", ["workshops", "visitors", "minors"]),
    ("calendars, reports, push", ["calendars", "reports", "push"]),
    ("a person's lifecycle across the domains", ["people"]),
    ("the app and the command line", ["routes_registry", "app", "cli", "seed", "invariants"]),
]

# Imports from a package to one of a higher layer that exist today: (importer, imported): reason.
KNOWN_UPWARD: dict[tuple[str, str], str] = {
}

# Packages of one layer that import each other in a cycle today: the cycle's members: reason.
KNOWN_CYCLES: dict[frozenset[str], str] = {
}


def package_of(module: str) -> str:
    """fablab.bookings.rules -> bookings; fablab.platform.db -> platform; fablab.tables -> tables."""
    return module.split(".")[1]


def all_modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported_modules(source: str, name: str, *, is_package: bool) -> list[str]:
    """The absolute names of the fablab modules (or names) a module's source imports, anywhere."""
    package = name if is_package else name.rpartition(".")[0]
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for rest in child.orelse:
                    visit(rest)
                continue
            if isinstance(child, ast.Import):
                found.extend(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                found.extend(f"{base}.{alias.name}" if base == "fablab" else base for alias in child.names)
            visit(child)

    visit(ast.parse(source, filename=name))
    return [target for target in found if target.startswith("fablab.")]


def package_graph() -> dict[str, dict[str, set[str]]]:
    """{importer package: {imported package: {importing modules}}} between different packages."""
    graph: dict[str, dict[str, set[str]]] = {}
    for name, path in all_modules().items():
        if name == "fablab":
            continue
        graph.setdefault(package_of(name), {})
        source = path.read_text(encoding="utf-8")
        for target in imported_modules(source, name, is_package=path.name == "__init__.py"):
            if package_of(target) != package_of(name):
                graph[package_of(name)].setdefault(package_of(target), set()).add(name)
    return graph


def layer_of() -> dict[str, int]:
    return {package: rank for rank, (_, packages) in enumerate(LAYERS) for package in packages}


def upward_imports(graph: dict[str, dict[str, set[str]]], ranks: dict[str, int]) -> set[tuple[str, str]]:
    return {(importer, imported) for importer, targets in graph.items() for imported in targets
            if ranks.get(imported, -1) > ranks.get(importer, len(LAYERS))}


def cycles_within_layers(graph: dict[str, dict[str, set[str]]], ranks: dict[str, int]) -> set[frozenset[str]]:
    """Groups of packages of one layer that reach each other through imports inside that layer."""
    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), {}):
                if ranks.get(nxt) == ranks.get(start) and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reachable = {package: reach(package) for package in graph}
    groups = {frozenset({package} | {other for other in reachable[package] if package in reachable[other]})
              for package in graph}
    return {group for group in groups if len(group) > 1}


def test_every_package_has_one_layer():
    placed = [package for _, packages in LAYERS for package in packages]
    assert len(placed) == len(set(placed)), "a package is in two layers"
    assert sorted(set(package_graph())) == sorted(placed), "place every package of fablab/ in LAYERS"


def test_no_package_imports_a_higher_layer_beyond_the_known_debts():
    graph = package_graph()
    found = upward_imports(graph, layer_of())
    new = {f"{a} -> {b} ({', '.join(sorted(graph[a][b]))})" for a, b in found - set(KNOWN_UPWARD)}
    assert sorted(new) == [], "an import from a lower layer to a higher one"
    assert sorted(set(KNOWN_UPWARD) - found) == [], "a debt is paid: take it off KNOWN_UPWARD"


def test_no_cycle_within_a_layer_beyond_the_known_debts():
    found = cycles_within_layers(package_graph(), layer_of())
    assert sorted(map(sorted, found - set(KNOWN_CYCLES))) == [], "packages of one layer import each other"
    assert sorted(map(sorted, set(KNOWN_CYCLES) - found)) == [], "a cycle is gone: take it off KNOWN_CYCLES"


def test_the_architecture_document_lists_these_layers():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    listed = [(name, re.findall(r"`([a-z_]+)`", packages))
              for name, packages in re.findall(r"^\d+\. \*\*(.+?)\*\* — (.*)$", text, flags=re.MULTILINE)]
    assert listed == LAYERS, "docs/ARCHITECTURE.md's layer list and LAYERS say the same, in the same order"


def test_the_checks_see_an_upward_import_and_a_cycle():
    ranks = {"low": 0, "high": 1, "peer": 1}
    graph = {"low": {"high": {"fablab.low.x"}}, "high": {"low": set(), "peer": set()}, "peer": {"high": set()}}
    assert upward_imports(graph, ranks) == {("low", "high")}
    assert cycles_within_layers(graph, ranks) == {frozenset({"high", "peer"})}
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fablab.accounts import current\n"
              "from . import rules\nfrom fablab import tables\ndef f():\n    from fablab.bookings import service\n")
    assert imported_modules(source, "fablab.sites.service", is_package=False) == [
        "fablab.sites", "fablab.tables", "fablab.bookings"]


if __name__ == "__main__":
    graph, ranks = package_graph(), layer_of()
    for importer in sorted(graph, key=lambda package: (ranks.get(package, -1), package)):
        print(f"{importer} [{LAYERS[ranks[importer]][0] if importer in ranks else '?'}] ->",
              ", ".join(sorted(graph[importer])) or "-")
    print("\nupward:", *(f"  {a} -> {b}: {', '.join(sorted(graph[a][b]))}"
                         for a, b in sorted(upward_imports(graph, ranks))), sep="\n")
    print("\ncycles within a layer:", *(f"  {sorted(group)}" for group in cycles_within_layers(graph, ranks)),
          sep="\n")
