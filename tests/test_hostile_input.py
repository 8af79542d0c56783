"""Inputs the fuzzer (tests/test_fuzz.py) once turned into 500s: each now gets a 4xx problem with a code."""


def assert_client_error(response, status: int | None = None):
    assert 400 <= response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    assert response.json()["code"], response.text


async def test_booking_id_beyond_bigint_is_refused_as_invalid_input(admin):
    response = await admin.get("/api/bookings/101982655362213144422469932025930317824")
    assert_client_error(response, 400)
    assert response.json()["code"] == "invalid_input"


async def test_user_id_beyond_integer_is_refused_and_changes_nothing(staff, demo):
    before = (await staff.get("/api/users")).json()
    response = await staff.post("/api/users/329017165634/deactivate")
    assert_client_error(response, 400)
    assert (await staff.get("/api/users")).json() == before


async def test_nul_character_in_a_site_is_a_4xx(staff):
    response = await staff.post("/api/audits", json={"site": "d\u0000"})
    assert_client_error(response)


async def test_export_with_a_non_latin1_site_downloads_under_an_ascii_name(staff):
    from fablab.web.download import attachment

    # An unknown site is a clean 404 problem (staff export the sites they work for)...
    response = await staff.get("/api/resources/export.csv", params={"site": "\U000d6663x"})
    assert response.status_code == 404 and response.json()["code"] == "unknown_site"
    # ...and a download name with such characters still makes an ASCII header.
    disposition = attachment("inventaire-\U000d6663x-2026-12-01.csv")["content-disposition"]
    assert disposition.isascii() and 'filename="inventaire-x-' in disposition
    assert "filename*=UTF-8''inventaire-%F3%96%99%A3x-" in disposition


async def test_superscript_digit_as_user_is_not_a_500(staff):
    response = await staff.get("/api/checkouts", params={"user": "²"})
    assert response.status_code < 500, response.text
