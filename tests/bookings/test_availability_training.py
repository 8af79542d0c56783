"""A day's availability names the training its rule asks for, and says whether the person asking holds
it (issue 28): the booking screen's hint names it and goes once the learner holds it."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support.clients import make_client, sign_in


def a_weekday() -> str:
    day = date.today() + timedelta(days=7)
    return (day + timedelta(days=(7 - day.weekday()) % 7)).isoformat()  # a Monday: open, never a holiday here


async def test_the_printer_day_names_its_training_and_who_holds_it(app, learner, staff):
    params = {"site": "vlg", "kind": "printer_3d", "date": a_weekday()}
    untrained = (await learner.get("/api/availability", params=params)).json()["policy"]
    assert untrained["training_required"] and untrained["training"] and not untrained["training_held"]
    async with make_client(app) as client:
        trained = (await (await sign_in(client, "learner3")).get("/api/availability", params=params)).json()["policy"]
    assert trained["training"] == untrained["training"] and trained["training_held"]
    laptops = (await learner.get("/api/availability", params={**params, "kind": "laptop"})).json()["policy"]
    assert (laptops["training_required"], laptops["training"], laptops["training_held"]) == (False, None, False)
