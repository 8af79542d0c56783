"""Soak the app with mixed realistic traffic on 2 workers, then audit every database invariant.

    .venv/bin/python scripts/loadtest.py [--duration 600] [--fault] [--database-url ADMIN_URL]

Learners browse availability, book and cancel; staff check items out and in; calendar apps poll
feeds (see tests/support/soak.py). Prints the operations, the responses by status and each invariant;
exits 1 on any 5xx, any request left unanswered for 5 s, or any broken invariant.

--fault stops PostgreSQL in the middle for a few seconds and starts it again on the same port:
requests meanwhile must get 503 problem responses quickly, the app must answer again within 5 s
of the database coming back, and the audit must still pass. It needs the private embedded
cluster (a server given by --database-url is not ours to stop).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import dataset  # noqa: E402
from tests.support.cluster import scratch_database  # noqa: E402
from tests.support.server import serve  # noqa: E402
from tests.support.soak import error_blocks, soak  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds of traffic (default 600)")
    parser.add_argument("--fault", action="store_true", help="stop and restart PostgreSQL in the middle")
    parser.add_argument("--outage", type=float, default=3.0, help="seconds the database stays down with --fault")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--learners", type=int, default=9, help="simultaneous learners (default 9)")
    parser.add_argument("--bookings", type=int, default=3000, help="bookings in the starting dataset")
    parser.add_argument("--database-url", default=os.environ.get("FABLAB_BENCH_PG"),
                        help="admin URL of a PostgreSQL server instead of a private embedded one")
    args = parser.parse_args()
    if args.fault and args.database_url:
        parser.error("--fault needs the private embedded cluster; leave out --database-url")

    with scratch_database(args.database_url, prefix="fablab_soak") as scratch:
        data = asyncio.run(dataset.generate(scratch.url, args.bookings))
        print(f"dataset: {data.counts}", flush=True)
        with tempfile.TemporaryFile() as log, serve(scratch.url, workers=args.workers, log=log) as server:
            print(f"soak: {args.duration:.0f} s on {args.workers} workers at {server.base}"
                  + (f", database down for {args.outage:.0f} s at {args.duration / 2:.0f} s" if args.fault else ""),
                  flush=True)
            report = asyncio.run(soak(
                server.base, scratch.url, seconds=args.duration, scratch=scratch,
                fault_at=args.duration / 2 if args.fault else None, down_s=args.outage, learners=args.learners))
            log.seek(0)
            server_log = log.read().decode(errors="replace")
        report.print()
        failures = report.failures()
        errors = error_blocks(server_log)
        if errors:
            print(f"\nserver log: {len(errors)} errors; the first ones:\n" + "\n".join(errors[:3]))
        if failures:
            print("\nFAILED:\n  " + "\n  ".join(failures))
            raise SystemExit(1)
        print("\nOK: no 5xx, no hang, every invariant holds" + (", recovered from the outage" if args.fault else ""))


if __name__ == "__main__":
    main()
