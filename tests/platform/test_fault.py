"""PostgreSQL stopped in the middle of a soak: 503 problems meanwhile, quick recovery, data intact."""

import asyncio
import tempfile

import pytest

from tests.support import dataset
from tests.support.cluster import scratch_database
from tests.support.server import serve
from tests.support.soak import CLIENT_TIMEOUT_S, RECOVERY_LIMIT_S, soak, unhandled_errors

pytestmark = pytest.mark.server

def test_outage_gives_503_problems_then_recovers_with_invariants_intact(tmp_path):
    with scratch_database(data_dir=tmp_path, prefix="fablab_fault") as scratch:
        asyncio.run(dataset.generate(scratch.url, 1500))
        with tempfile.TemporaryFile() as log:
            with serve(scratch.url, workers=2, log=log) as server:
                report = asyncio.run(soak(server.base, scratch.url, seconds=14, scratch=scratch,
                                          fault_at=5, down_s=3, learners=6))
            log.seek(0)
            server_log = log.read().decode(errors="replace")
    report.print()

    met = [c for c in report.calls if report.during_outage(c)]
    assert any(c.status == 503 for c in met), "no request met the outage"
    # Every 503 is a problem response saying why, and none comes outside the outage.
    for call in report.calls:
        if call.status == 503:
            assert report.during_outage(call), f"{call.op}: 503 outside the outage"
            assert call.op == "health" or (call.problem and call.code == "database_unavailable"), call
    # No hang: every request got an answer within the client's timeout.
    unanswered = [c for c in report.calls if isinstance(c.status, str)]
    # A worker ended and restarted by its supervisor would drop its requests at once: the log says so.
    restarts = [line for line in server_log.splitlines() if "Child process" in line or "Traceback" in line]
    assert not unanswered, f"{len(unanswered)} requests unanswered: {unanswered[:3]}; server log: {restarts[:10]}"
    assert max(c.ended - c.started for c in report.calls) < CLIENT_TIMEOUT_S
    # The app finds the database again by itself.
    assert report.timeline.recovery_s is not None and report.timeline.recovery_s < RECOVERY_LIMIT_S
    # Nothing half-written.
    broken = [(r.name, r.violations[:3]) for r in report.invariants if not r.holds]
    assert len(report.invariants) >= 6 and not broken, broken
    assert any(c.status in (200, 201) for c in report.calls if c.started > report.timeline.recovered)

    # Any other 5xx is a defect: the server log names its cause (a deadlock was one, once).
    server_errors = [c for c in report.calls if isinstance(c.status, int) and c.status >= 500 and c.status != 503]
    assert not server_errors, (len(server_errors), unhandled_errors(server_log))
