"""A developer writing an outside script reads in /schema what each route returns (issue 18)."""

from __future__ import annotations

from tests.support.browser import SCREENSHOTS


def shot(locator, name: str) -> None:
    # The block itself: the whole Swagger page is too tall to photograph in the test's time.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(scale="css", path=str(SCREENSHOTS / f"{name}.png"))


def test_a_developer_reads_in_schema_what_a_booking_looks_like(phone_factory, live_server):
    phone = phone_factory(width=1280)
    page = phone.goto("/schema")
    # Swagger UI lays out the whole document (116 paths) before the first tag shows: seconds on a
    # quiet machine, more than the default 10 s beside a second worker's server and browser.
    page.locator(".opblock-tag", has_text="bookings").first.wait_for(timeout=60_000)
    # The list of bookings shows its answer: the fields of a booking, not an empty object.
    operation = page.locator(".opblock-get", has=page.locator("[data-path='/api/bookings']")).first
    operation.locator(".opblock-summary").click()
    example = operation.locator(".responses-wrapper pre").first
    example.wait_for()
    for field in ('"resource_name"', '"user"', '"cancel_reason"', '"overdue"'):
        assert field in example.inner_text()
    shot(operation.locator(".responses-wrapper"), "62-schema-liste-des-reservations")
    # The desk's check-out answers the same booking, with who holds it until when.
    checkout = page.locator(".opblock-post", has=page.locator("[data-path='/api/checkouts']")).first
    checkout.locator(".opblock-summary").click()
    answer = checkout.locator(".responses-wrapper pre").first
    answer.wait_for()
    for field in ('"booking"', '"moved_from"', '"overdue"', '"due_at"'):
        assert field in answer.inner_text()
    shot(checkout.locator(".responses-wrapper"), "63-schema-pret-au-comptoir")
    assert phone.errors() == []
