"""How long each xdist group (a test file, or a named group such as the fuzzer's halves) took, summed
over its tests, in a full run: the order in which the two workers take them, longest first.

With whole files per worker, the run ends when the worker with the most left finishes: started last,
a two-minute file leaves the other worker idle for two minutes (pytest-xdist's own order, by number
of tests, started the browser walk of every screen last). Longest first is the classic answer (LPT).
A file not listed counts as SMALL: new files go after the long ones. The numbers need not be
exact, only in the right order; refresh them after a big change:

    PYTEST_ADDOPTS=--junitxml=/tmp/run.xml scripts/test
    .venv/bin/python -m tests.support.group_seconds /tmp/run.xml > tests/support/group_seconds.json
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

from tests.support.paths import ROOT

SMALL = 5.0
MEASURED = Path(__file__).with_name("group_seconds.json")


def group_seconds() -> dict[str, float]:
    return json.loads(MEASURED.read_text()) if MEASURED.exists() else {}


def from_junit(path: str) -> dict[str, float]:
    """Seconds per file of a junit report (the fuzzer's halves are split by its ids' order)."""
    seconds: Counter[str] = Counter()
    for case in ElementTree.parse(path).iter("testcase"):
        seconds[_file_of(case.get("classname", ""))] += float(case.get("time", 0))
    return {file: round(total, 1) for file, total in seconds.most_common()}


def _file_of(classname: str) -> str:
    """tests.web.test_fuzz -> tests/web/test_fuzz.py; a test class's name is dropped."""
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        candidate = "/".join(parts[:end]) + ".py"
        if (ROOT / candidate).exists():
            return candidate
    return classname


def cost_of_groups(items, group_of) -> dict[str, float]:
    """Each group's expected seconds: its files' measured time, shared among a file's groups by their
    number of tests (the fuzzer's two halves)."""
    measured = group_seconds()
    per_file = Counter(item.nodeid.split("::")[0] for item in items)
    cost: Counter[str] = Counter()
    for item in items:
        file = item.nodeid.split("::")[0]
        cost[group_of(item)] += measured.get(file, SMALL) / per_file[file]
    return cost


if __name__ == "__main__":
    print(json.dumps(from_junit(sys.argv[1]), indent=1))
