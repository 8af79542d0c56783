"""A developer writing an outside script reads in /schema what each route returns (issue 18)."""

from __future__ import annotations


def test_a_developer_reads_in_schema_what_a_booking_looks_like(phone_factory, live_server):
    phone = phone_factory(width=1280)
    page = phone.goto("/schema")
    page.locator(".opblock-tag", has_text="bookings").first.wait_for()
    # The list of bookings answers BookingOut: its Schema tab names the shape and its fields.
    operation = page.locator(".opblock-get", has=page.locator("[data-path='/api/bookings']")).first
    operation.locator(".opblock-summary").click()
    responses = operation.locator(".responses-wrapper")
    responses.locator(".tab", has_text="Schema").first.click()
    responses.get_by_text("BookingOut").first.wait_for()
    responses.get_by_text("overdue").first.wait_for()
    phone.shot("62-schema-liste-des-reservations")
    # The models at the bottom list the one booking shape, and the desk's answers next to it.
    models = page.locator("section.models")
    models.scroll_into_view_if_needed()
    for name in ("BookingOut", "CheckoutOut", "AvailabilityOut", "SiteOut", "TagOut"):
        models.locator(".model-container", has_text=name).first.wait_for()
    phone.shot("63-schema-modeles")
    assert phone.errors() == []
