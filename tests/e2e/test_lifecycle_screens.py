"""A full disk seen from a phone (issue 17): the booking is refused with a French sentence, and nothing
is booked. The disk_full error comes from a trigger on the test database, as in test_lifecycle_storage."""

from __future__ import annotations

import pytest

from tests.support.browser import api_client, next_open_day, no_horizontal_scroll, run_sql, sign_in
from tests.support.lifecycle import DISK_FULL_STATEMENTS, SPACE_RETURNS

pytestmark = pytest.mark.pg_engine


@pytest.mark.parametrize("login, kind", [("learner1", "laptop"), ("learner1", "room"), ("staff.vlg", "printer_3d")])
def test_a_booking_on_a_full_disk_is_refused_in_french(phone_factory, live_server, database_url, login, kind):
    with api_client(live_server, login) as client:
        day = next_open_day(client, kind=kind)
        booked_before = len(client.get("/api/bookings", params={"mine": "true"}).json())
    phone = phone_factory(width=360)
    sign_in(phone, login)
    page = phone.goto(f"/#/book?site=vlg&kind={kind}&date={day}")
    page.locator("button.slot:not(.full)").first.click()
    for statement in DISK_FULL_STATEMENTS:
        run_sql(database_url, statement)
    try:
        page.get_by_role("button", name="Réserver", exact=True).click()
        alert = page.get_by_role("alert")
        alert.wait_for()
        assert "n’a plus de place pour enregistrer" in alert.inner_text()
        assert page.get_by_role("alert").count() == 1
        assert page.get_by_role("heading", name="Réserver", exact=True).is_visible()
        assert no_horizontal_scroll(page)
        phone.shot(f"17-disque-plein-{kind}")
    finally:
        for statement in SPACE_RETURNS.split("; "):
            run_sql(database_url, statement)
    with api_client(live_server, login) as client:
        assert len(client.get("/api/bookings", params={"mine": "true"}).json()) == booked_before
    assert phone.errors(allowed_statuses=(503,)) == []
