"""Text the server writes for people to read: names and reasons, never an internal id."""

from __future__ import annotations

import re

from tests.support.series import clear_tuesdays, close_and_conflict, weekly_room


async def test_a_taken_series_date_names_who_holds_it_not_the_bookings_id(staff):
    days = clear_tuesdays()
    _, taken = await close_and_conflict(staff, days)
    report = await staff.post("/api/series", json=weekly_room(days, dry_run=True))
    detail = {row["date"]: row for row in report.json()["occurrences"]}[taken.isoformat()]["detail"]
    names = await staff.get("/api/users", params={"q": "learner1"})
    holder = next(user["name"] for user in names.json() if user["login"] == "learner1")
    assert detail == f"Déjà réservé ({holder}, Révisions)."
    assert not re.search(r"réservation\s+\d", detail)
