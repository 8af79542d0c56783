"""docs/ARCHITECTURE.md's code map names every package and top-level module of fablab/, and nothing
that is gone: the map a newcomer reads stays the map of the code (issue 25). Read from the files,
no database."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
TEXT_SUFFIXES = {".py", ".sql", ".md", ".js", ".html", ".css", ".toml", ".conf", ".service", ".example", ".txt"}


def section(text: str, title: str) -> str:
    """The body of the `## title` section, up to the next `## ` heading."""
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def code_units() -> set[str]:
    """`fablab/<package>/` for each package, `fablab/<module>.py` for each top-level module."""
    package = ROOT / "fablab"
    units = {f"fablab/{path.name}/" for path in package.iterdir() if (path / "__init__.py").exists()}
    return units | {f"fablab/{path.name}" for path in package.glob("*.py") if path.name != "__init__.py"}


def named_paths(text: str) -> set[str]:
    return set(re.findall(r"`(fablab/[A-Za-z0-9_/.]+)`", text))


def test_the_code_map_names_every_package_and_top_level_module():
    named = named_paths(section(DOC.read_text(encoding="utf-8"), "Code map"))
    assert sorted(code_units() - named) == [], "add these to the code map of docs/ARCHITECTURE.md"


def test_every_path_the_architecture_document_names_exists():
    named = named_paths(DOC.read_text(encoding="utf-8"))
    assert sorted(path for path in named if not (ROOT / path).exists()) == []


# How a citation of the blueprint outside the repository reads: its file name, or the folder beside the
# checkout. Spelled in pieces so that this check does not cite it itself.
OUTSIDE_CITATIONS = ("DESIGN" + ".md", ".." + "/shared")


def test_nothing_cites_a_design_document_outside_the_repository():
    # The project stands on its own: the design it cites is docs/ARCHITECTURE.md.
    places = [ROOT / "README.md", ROOT / "pyproject.toml",
              *(path for folder in ("fablab", "tests", "migrations", "scripts", "static", "deploy", "docs")
                for path in (ROOT / folder).rglob("*") if path.is_file() and path.suffix in TEXT_SUFFIXES)]
    citing = [str(path.relative_to(ROOT)) for path in places
              if any(words in path.read_text(encoding="utf-8", errors="replace") for words in OUTSIDE_CITATIONS)]
    assert citing == []


def test_the_check_reads_a_section_and_its_paths():
    text = "# t\n\n## Code map\n\n| `fablab/platform/db.py`, `fablab/web/` | x |\n\n## Next\n`fablab/cli.py`\n"
    assert named_paths(section(text, "Code map")) == {"fablab/platform/db.py", "fablab/web/"}
