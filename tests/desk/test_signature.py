"""The drawn signature as stored: a real PNG with ink on it, whatever the client sends; and the hash."""

import base64
import io

import pytest
from PIL import Image, ImageDraw

from fablab.desk import signature
from fablab.domain.errors import InvalidInput


def data_url(image: Image.Image) -> str:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return signature.PNG_PREFIX + base64.b64encode(out.getvalue()).decode()


def test_a_drawn_png_is_kept_and_a_blank_one_is_no_signature():
    canvas = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    assert_refused(lambda: signature.checked_png(signature.png_from_data_url(data_url(canvas))))
    ImageDraw.Draw(canvas).line([(20, 200), (300, 40), (580, 200)], fill=(17, 17, 17, 255), width=3)
    png = signature.checked_png(signature.png_from_data_url(data_url(canvas)))
    assert png.startswith(signature.PNG_MAGIC)
    with Image.open(io.BytesIO(png)) as kept:
        assert kept.size == (600, 240)


def test_what_is_not_a_png_is_refused():
    assert_refused(lambda: signature.png_from_data_url("data:image/svg+xml;base64,PHN2Zz4="))
    assert_refused(lambda: signature.png_from_data_url(signature.PNG_PREFIX + "not base64!"))
    assert_refused(lambda: signature.checked_png(signature.PNG_MAGIC + b"garbage"))
    assert_refused(lambda: signature.png_from_strokes([[[1, 1]]] * 20_001))


def test_the_hash_changes_with_any_signed_fact_or_the_signature():
    png = signature.png_from_strokes([[[10, 10], [300, 200]]])
    record = {"items": [{"tag": "VLG-LAP-002", "parts": [1]}], "agreement": {"version": 1, "text": "T"}}
    first = signature.signed_hash(record, png)
    assert first == signature.signed_hash(dict(reversed(record.items())), png)  # key order is not a fact
    assert first != signature.signed_hash({**record, "agreement": {"version": 2, "text": "T"}}, png)
    assert first != signature.signed_hash(record, signature.png_from_strokes([[[10, 10], [300, 210]]]))


def assert_refused(call) -> None:
    with pytest.raises(InvalidInput) as refused:
        call()
    assert refused.value.code == "invalid_signature"
