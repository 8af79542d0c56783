"""Fuzz the API with schemathesis for a while, as every role, and list what breaks.

    .venv/bin/python scripts/fuzz.py [--duration 600] [--examples 50] [--database-url ADMIN_URL]

The long version of tests/web/test_fuzz.py: a scratch database (private embedded PostgreSQL, or a new
database on the given server), `fablab serve --workers 2`, then every operation of the OpenAPI
schema as anonymous, learner, staff and admin, valid and invalid inputs, until the time is spent.
Checks: no 5xx, every documented response matches its schema. For each 500 it prints the request
(curl) and the server's exception. Exits 1 when anything was found.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import dataset  # noqa: E402
from tests.support.cluster import scratch_database  # noqa: E402
from tests.support.fuzzing import fuzz  # noqa: E402
from tests.support.server import serve  # noqa: E402
from tests.support.soak import unhandled_errors  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600, help="time budget in seconds (default 600)")
    parser.add_argument("--examples", type=int, default=50, help="examples per operation, role and mode")
    parser.add_argument("--database-url", default=os.environ.get("FABLAB_BENCH_PG"),
                        help="admin URL of a PostgreSQL server instead of a private embedded one")
    args = parser.parse_args()
    with scratch_database(args.database_url, prefix="fablab_fuzz") as scratch:
        asyncio.run(dataset.generate(scratch.url, 1000))
        with tempfile.NamedTemporaryFile("w+b") as log, serve(scratch.url, workers=2, log=log) as server:
            started = time.monotonic()
            findings, runs = fuzz(server.base, max_examples=args.examples, budget_s=args.duration,
                                  progress=lambda f: print(f"found: [{f.role}] {f.operation} ({f.mode})", flush=True))
            log.seek(0)
            causes = unhandled_errors(log.read().decode(errors="replace"))
    print(f"\n{runs} runs (operation × role × mode, up to {args.examples} examples each) "
          f"in {time.monotonic() - started:.0f} s; {len(findings)} findings")
    for finding in findings:
        print(f"\n--- {finding}"[:4000])
    if causes:
        print("\nserver exceptions behind the 500s:")
        for cause in sorted(set(causes)):
            print(f"  {causes.count(cause)} × {cause}")
    raise SystemExit(1 if findings else 0)


if __name__ == "__main__":
    main()
