"""tests/ mirrors fablab/: a folder per package (platform/ for fablab/platform/: the database, the embedded
cluster, the server and its faults), plus architecture/, web/ and e2e/; what tests share lives in
tests/support/ only, so no test file imports another (or a conftest)."""

import ast

from tests.support.paths import ROOT

TESTS = ROOT / "tests"
# Folders that test no single package: the rules of the code, what every route shares, the browser,
# and the shared helpers.
BESIDE_THE_PACKAGES = {"architecture", "web", "e2e", "support"}
# Packages without a folder of their own: the domain's words and types (fablab/domain/) and what the
# domains declare into (fablab/hooks/) are tested where a domain uses them (tests/people/test_ages.py,
# tests/bookings/test_admission.py, tests/sites/test_closure_effects.py …).
TESTED_WITH_THE_DOMAINS = {"domain", "hooks"}


def test_every_package_of_fablab_has_its_folder_of_tests():
    packages = {path.parent.name for path in (ROOT / "fablab").glob("*/__init__.py")}
    folders = {path.name for path in TESTS.iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert packages - folders - TESTED_WITH_THE_DOMAINS == set(), "add a folder of tests for each package"
    assert folders - packages - BESIDE_THE_PACKAGES == set(), "a folder of tests that mirrors no package"


def test_test_files_sit_in_folders_with_an_init():
    assert sorted(path.name for path in TESTS.glob("test_*.py")) == [], "test files go in the folder of their package"
    for folder in TESTS.iterdir():
        if folder.is_dir() and folder.name != "__pycache__":
            assert (folder / "__init__.py").exists(), f"{folder} needs an __init__.py (module names stay unique)"


def imported_test_modules(path) -> list[str]:
    """The modules of tests/ that `path` imports, other than tests.support."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found += [name for name in names
                  if name.startswith("tests.") and not name.startswith("tests.support") and name != "tests.support"]
    return found


def test_no_test_file_imports_another_test_file_or_a_conftest():
    offenders = {str(path.relative_to(ROOT)): imported_test_modules(path)
                 for path in TESTS.rglob("*.py") if imported_test_modules(path)}
    assert offenders == {}, "move what is shared into tests/support/"


def test_the_check_sees_an_import_of_a_test_file(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text("from tests.bookings.test_rules import at\nimport tests.conftest\nfrom tests.support.bookings import book\n")
    assert imported_test_modules(sample) == ["tests.bookings.test_rules", "tests.conftest"]
