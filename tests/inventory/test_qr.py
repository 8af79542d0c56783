"""QR codes decode, with an independent decoder (zxing-cpp), to exactly the tag's URL."""

import io

import zxingcpp
from PIL import Image

from fablab.inventory import qr
from fablab.movements.tags import tag_url


def decode_all(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_png_decodes_to_the_exact_url_with_quiet_zone_and_size():
    url = "https://fablab.example.org/t/PAN-ROOM-003"
    image = Image.open(io.BytesIO(qr.qr_png(url)))
    assert decode_all(image) == [url]
    assert image.width >= 300 and image.width == image.height
    matrix = qr.qr_matrix(url)
    module = image.width // len(matrix)
    # Four modules of white on every side (the quiet zone), then the finder pattern's dark edge.
    grey = image.convert("L")
    assert all(grey.getpixel((x, image.height // 2)) == 255 for x in range(4 * module))
    assert grey.getpixel((4 * module, 4 * module)) == 0


def test_error_correction_is_m_or_better():
    import qrcode.constants
    assert qr.ERROR_CORRECTION in (qrcode.constants.ERROR_CORRECT_M, qrcode.constants.ERROR_CORRECT_Q,
                                   qrcode.constants.ERROR_CORRECT_H)
    # M tolerates some damage: blot out a patch in the data area and it still reads.
    url = "http://testserver/t/VLG-LAP-007"
    image = Image.open(io.BytesIO(qr.qr_png(url))).convert("L")
    module = image.width // len(qr.qr_matrix(url))
    x0 = y0 = 15 * module
    image.paste(255, (x0, y0, x0 + 2 * module, y0 + 2 * module))
    assert decode_all(image) == [url]


def test_svg_has_no_style_attribute_and_encodes_the_matrix():
    svg = qr.qr_svg("http://testserver/t/VLG-LAP-001", size="30mm", title="VLG-LAP-001")
    assert svg.startswith("<svg") and "style=" not in svg and "<script" not in svg
    assert 'width="30mm"' in svg and "<title>VLG-LAP-001</title>" in svg


async def test_qr_png_endpoint_decodes_to_the_base_url_tag_url(learner):
    response = await learner.get("/api/resources/vlg-lap-007/qr.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert decode_all(image) == ["http://testserver/t/VLG-LAP-007"]  # FABLAB_BASE_URL of the tests


async def test_qr_svg_endpoint(learner, anon):
    response = await learner.get("/api/resources/PAN-P3D-001/qr.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg")
    assert (await anon.get("/api/resources/PAN-P3D-001/qr.svg")).status_code == 401
    assert (await learner.get("/api/resources/NOPE/qr.png")).status_code == 404
