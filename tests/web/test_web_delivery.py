"""How the server sends things: gzip for text that is worth it, HEAD on the app's pages, one charset."""

from __future__ import annotations

import gzip
from datetime import date, timedelta

import pytest

from fablab.web.routes import STATIC_DIR

GZIP = {"accept-encoding": "gzip"}
IDENTITY = {"accept-encoding": "identity"}


async def raw_get(client, path: str, headers: dict, **params):
    """The bytes as they came over the wire (httpx would otherwise decode gzip itself)."""
    async with client.stream("GET", path, headers=headers, params=params) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, body


@pytest.mark.parametrize("path", ["/js/app.js", "/i18n/fr.js", "/app.css", "/screens/book.js", "/sw.js"])
async def test_the_apps_files_are_gzipped_for_browsers_that_ask(anon, path):
    response, body = await raw_get(anon, path, GZIP)
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    original = (STATIC_DIR / path.lstrip("/")).read_bytes()
    assert gzip.decompress(body) == original
    assert len(body) < len(original) * 0.6


async def test_a_client_that_does_not_ask_gets_the_file_as_it_is(anon):
    response, body = await raw_get(anon, "/js/app.js", IDENTITY)
    assert "content-encoding" not in response.headers
    assert body == (STATIC_DIR / "js/app.js").read_bytes()


async def test_large_json_is_gzipped_and_tiny_answers_are_not(staff):
    response, body = await raw_get(staff, "/api/resources", GZIP, site="vlg")
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body).startswith(b"[")

    small, small_body = await raw_get(staff, "/health", GZIP)
    assert len(small_body) < 1024 and "content-encoding" not in small.headers


async def test_images_and_pdfs_are_not_compressed_again(staff):
    icon, body = await raw_get(staff, "/icons/icon-512.png", GZIP)
    assert icon.headers["content-type"] == "image/png" and len(body) > 1024
    assert "content-encoding" not in icon.headers

    pdf, _ = await raw_get(staff, "/api/labels", GZIP, site="vlg", format="pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "content-encoding" not in pdf.headers


@pytest.mark.parametrize("path", ["/", "/t/VLG-LAP-001"])
async def test_head_on_the_apps_pages_answers_like_get(anon, path):
    head = await anon.head(path)
    get = await anon.get(path)
    assert head.status_code == 200 == get.status_code
    assert head.headers["content-type"] == get.headers["content-type"] == "text/html; charset=utf-8"
    assert head.content == b""
    assert b'<html lang="fr">' in get.content
    assert get.headers["cache-control"] == "no-cache"
    assert get.headers["content-disposition"] == 'inline; filename="index.html"'


async def test_label_sheet_and_csv_downloads_name_their_charset_once(staff, admin):
    today = date.today()
    answers = {
        "label sheet": await staff.get("/api/labels", params={"site": "vlg"}),
        "inventory CSV": await staff.get("/api/resources/export.csv", params={"site": "vlg"}),
        "accounts CSV": await staff.get("/api/users/export.csv"),
        "report CSV": await admin.get("/api/reports/utilisation", params={
            "site": "vlg", "from": (today - timedelta(days=7)).isoformat(), "to": today.isoformat(),
            "format": "csv", "table": "kinds"}),
    }
    for name, response in answers.items():
        assert response.status_code == 200, (name, response.text)
        content_type = response.headers["content-type"]
        assert content_type.lower().count("charset") == 1, (name, content_type)
        assert content_type.endswith("; charset=utf-8"), (name, content_type)
