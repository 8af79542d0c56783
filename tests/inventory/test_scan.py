"""Photo scan: decodes a QR on the server; refuses non-images, SVG and oversized files; stores nothing."""

import asyncio
import io

import pytest
from PIL import Image, ImageFile

from fablab.platform import db
from fablab.inventory import qr, scan, scan_child


def photo_of(text: str, fmt: str = "JPEG") -> bytes:
    """A QR code pasted, smaller, on a grey 'photo' background, as a phone would send it."""
    code = Image.open(io.BytesIO(qr.qr_png(text))).convert("RGB")
    photo = Image.new("RGB", (1600, 1200), (150, 140, 130))
    photo.paste(code, (500, 300))
    buffer = io.BytesIO()
    photo.save(buffer, format=fmt, quality=85)
    return buffer.getvalue()


async def row_counts() -> tuple:
    return tuple([await db.fetchval(f"SELECT count(*) FROM {table}") for table in ("movement", "audit", "booking", "resource")])


async def test_photo_of_a_label_gives_text_and_tag(staff):
    response = await staff.post("/api/scan", files={"file": ("photo.jpg", photo_of("http://testserver/t/VLG-LAP-007"),
                                                             "image/jpeg")})
    assert response.status_code == 200, response.text
    assert response.json() == {"text": "http://testserver/t/VLG-LAP-007", "tag": "VLG-LAP-007"}
    webp = await staff.post("/api/scan", files={"file": ("p.webp", photo_of("PAN-ROOM-002", "WEBP"), "image/webp")})
    assert webp.json() == {"text": "PAN-ROOM-002", "tag": "PAN-ROOM-002"}


async def test_photo_without_a_code_is_422(staff):
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, format="PNG")
    response = await staff.post("/api/scan", files={"file": ("blank.png", blank.getvalue(), "image/png")})
    assert response.status_code == 422 and response.json()["code"] == "no_qr_found"


async def test_bad_uploads_are_refused_and_nothing_is_stored(staff):
    before = await row_counts()
    svg = qr.qr_svg("http://testserver/t/VLG-LAP-007").encode()
    cases = {
        # An SVG, even named and typed as a PNG: the bytes decide.
        "svg": ("code.png", svg, "image/png"),
        "svg_with_xml_prolog": ("code.svg", b'<?xml version="1.0"?>\n' + svg, "image/svg+xml"),
        "pdf": ("doc.jpg", b"%PDF-1.7\n" + b"0" * 1000, "image/jpeg"),
        "text": ("notes.txt", b"just some text", "text/plain"),
        "truncated_png": ("cut.png", photo_of("x", "PNG")[:2000], "image/png"),
    }
    for name, upload in cases.items():
        response = await staff.post("/api/scan", files={"file": upload})
        assert 400 <= response.status_code < 500, name
        assert response.status_code in (415, 422), (name, response.status_code)
        assert response.json()["code"], name
    assert (await staff.post("/api/scan", files={"file": cases["svg"]})).json()["code"] == "svg_not_accepted"

    # Over 5 MB (but under the server's body limit) → 413 with a code.
    big = photo_of("http://testserver/t/VLG-LAP-007") + b"\0" * (5 * 1024 * 1024)
    response = await staff.post("/api/scan", files={"file": ("big.jpg", big, "image/jpeg")})
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"

    assert await row_counts() == before


async def test_scan_is_for_staff(learner):
    response = await learner.post("/api/scan", files={"file": ("p.jpg", photo_of("x"), "image/jpeg")})
    assert response.status_code == 403


async def test_scan_without_file_is_a_4xx_problem(staff):
    response = await staff.post("/api/scan", data={"other": "x"})
    assert 400 <= response.status_code < 500 and response.json()["code"]


def encoded(size: tuple[int, int], image_format: str, mode: str = "L") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 255).save(buffer, format=image_format, **({"quality": 10} if image_format != "PNG" else {}))
    return buffer.getvalue()


@pytest.mark.parametrize("image_format, size", [("WEBP", (7000, 7000)), ("WEBP", (3000, 2000)), ("PNG", (5000, 3000)), ("JPEG", (8000, 6400))])
async def test_images_over_the_pixel_budget_are_refused_before_any_decoding(staff, monkeypatch, image_format, size):
    data = encoded(size, image_format)
    assert len(data) < scan.MAX_UPLOAD_BYTES
    decoded = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or real_load(self))
    response = await staff.post("/api/scan", files={"file": ("big", data, "image/webp")})
    assert response.status_code == 415 and response.json()["code"] == "image_too_large", response.text
    assert decoded == [], "refused from the header, before a pixel was decoded"


def test_jpeg_gets_the_larger_budget_as_it_decodes_at_reduced_scale():
    scan.check_pixel_budget("JPEG", 8160, 6120)  # a 50 MP phone photo
    for image_format in ("WEBP", "PNG", "TIFF"):
        with pytest.raises(scan.UnsupportedImage):
            scan.check_pixel_budget(image_format, 8160, 6120)
    scan.check_pixel_budget("PNG", 4000, 3000)  # a 12 MP phone photo
    scan.check_pixel_budget("WEBP", 2400, 1600)  # what a browser's canvas export would be


def test_a_large_jpeg_is_decoded_at_a_fraction_of_its_size():
    image = scan.open_image(encoded((6000, 4000), "JPEG"))
    assert image.size == (3000, 2000) and image.mode == "L"
    assert scan.open_image(encoded((8160, 6120), "JPEG")).size == (4080, 3060)


async def test_decodes_per_worker_are_limited_however_many_photos_arrive(staff, monkeypatch):
    running, peak = 0, 0

    async def slow_decode(data: bytes) -> str:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.15)
        running -= 1
        return "VLG-LAP-007"

    monkeypatch.setattr(scan_child, "decode_qr_bounded", slow_decode)
    photo = photo_of("VLG-LAP-007")
    responses = await asyncio.gather(*(
        staff.post("/api/scan", files={"file": ("p.jpg", photo, "image/jpeg")}) for _ in range(6)))
    assert [r.status_code for r in responses] == [200] * 6
    assert peak == scan.CONCURRENT_DECODES
