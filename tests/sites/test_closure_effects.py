"""fablab/hooks/closure_effects.py: a closure lists and cancels what every declared effect says it hits,
and names no domain. A stand-in effect proves it; the bookings' own effect is tested through the
closure routes (test_admin_api.py), the workshops' in tests/workshops."""

from __future__ import annotations

import pytest

from fablab.hooks import closure_effects
from fablab.hooks.closure_effects import ClosureEffect, Closing
from tests.support.bookings import DAY, book

calls: list[tuple[str, Closing, list]] = []


async def hit(closing: Closing, limit: int) -> list[dict]:
    calls.append(("hit", closing, []))
    return [{"id": 41}, {"id": 42}]


async def cancel(closing: Closing, rows: list[dict]) -> list[int]:
    calls.append(("cancel", closing, rows))
    return [41]  # one of them could not be cancelled: still affected


@pytest.fixture
def open_days():
    calls.clear()
    closure_effects.register(ClosureEffect("open_days", hit=hit, cancel=cancel))
    yield calls
    closure_effects.unregister("open_days")


async def test_a_closure_asks_every_declared_effect(open_days, admin, learner, demo):
    await book(learner)
    impact = await admin.get("/api/sites/vlg/closures/impact", params={"from": DAY.isoformat(), "to": DAY.isoformat()})
    assert impact.json()["plans"] == {"bookings": 1, "open_days": 2, "workshops": 0}
    assert open_days[0][1].site_id == demo["sites"]["vlg"]["id"] and open_days[0][1].starts_on == DAY

    created = await admin.post("/api/sites/vlg/closures", json={
        "starts_on": DAY.isoformat(), "ends_on": DAY.isoformat(), "reason": "Dégât des eaux", "cancel_bookings": True})
    body = created.json()
    assert created.status_code == 201, body
    assert body["cancelled"]["open_days"] == [41] and body["affected"]["open_days"] == 1
    assert len(body["cancelled"]["bookings"]) == 1 and body["affected"]["bookings"] == 0
    [(_, closing, rows)] = [call for call in open_days if call[0] == "cancel"]
    assert closing.reason == "Dégât des eaux" and [r["id"] for r in rows] == [41, 42]


async def test_without_cancelling_nothing_is_asked_to_cancel(open_days, admin, demo):
    created = await admin.post("/api/sites/vlg/closures", json={
        "starts_on": DAY.isoformat(), "ends_on": DAY.isoformat(), "reason": "Inventaire"})
    assert created.json()["affected"] == {"bookings": 0, "open_days": 2, "workshops": 0}
    assert [call[0] for call in open_days] == ["hit"]


def test_the_app_registers_each_domains_declared_effects():
    from fablab import routes_registry

    declared = {e.name for d in routes_registry.DOMAINS for e in getattr(d, "CLOSURE_EFFECTS", ())}
    assert "bookings" in declared and declared <= {e.name for e in closure_effects.effects()}
