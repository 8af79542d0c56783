"""A drawn signature as the PNG stored with a hand-over, and the hash over what was signed; no I/O."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import math
from collections.abc import Sequence

from PIL import Image, ImageDraw, UnidentifiedImageError

from fablab.domain import codes
from fablab.domain.errors import InvalidInput

PNG_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# A phone's signature box at 3 device pixels per CSS pixel is well under this; a larger upload is not one.
MAX_PNG_BYTES = 512 * 1024
MAX_SIDE = 4000
# Strokes drawn on a box of this size (signature_pad's points in CSS pixels) are rendered server-side.
STROKE_BOX = (600, 240)
MAX_POINTS = 20_000
# So few marks are a tap, not a signature: a refusal to sign is not worked around with a dot.
MIN_INKED_PIXELS = 30


def _refuse(detail: str) -> InvalidInput:
    return InvalidInput(detail, code=codes.INVALID_SIGNATURE)


def png_from_data_url(data_url: str) -> bytes:
    """The PNG bytes of a `data:image/png;base64,…` URL, checked to be a PNG of bounded size."""
    if not data_url.startswith(PNG_PREFIX):
        raise _refuse("The signature must be a PNG data URL.")
    try:
        png = base64.b64decode(data_url[len(PNG_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise _refuse("The signature is not valid base64.") from None
    if len(png) > MAX_PNG_BYTES or not png.startswith(PNG_MAGIC):
        raise _refuse("The signature must be a PNG of 512 KB at most.")
    return png


def png_from_strokes(strokes: Sequence[Sequence[Sequence[float]]]) -> bytes:
    """Strokes as lists of [x, y] points in a 600 × 240 box, drawn black on transparent."""
    if sum(len(stroke) for stroke in strokes) > MAX_POINTS:
        raise _refuse("Too many points in the signature.")
    image = Image.new("RGBA", STROKE_BOX, (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        # Clamped to the box: a point far outside it (or not a finite number) draws nothing sensible.
        points = [(_clamp(point[0], STROKE_BOX[0]), _clamp(point[1], STROKE_BOX[1])) for point in stroke
                  if len(point) >= 2]
        if len(points) == 1:
            x, y = points[0]
            draw.ellipse((x - 1.5, y - 1.5, x + 1.5, y + 1.5), fill=(17, 17, 17, 255))
        elif points:
            draw.line(points, fill=(17, 17, 17, 255), width=3, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _clamp(value: float, size: int) -> float:
    value = float(value)
    return min(max(value, -1.0), size + 1.0) if math.isfinite(value) else -1.0


def checked_png(png: bytes) -> bytes:
    """The PNG re-encoded (nothing but pixels kept), refused when it cannot be read, is too large
    or holds no signature (a blank box: the learner did not sign)."""
    try:
        with Image.open(io.BytesIO(png)) as image:
            if image.width > MAX_SIDE or image.height > MAX_SIDE:
                raise _refuse("The signature image is too large.")
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise _refuse("The signature is not a readable PNG.") from None
    if _inked_pixels(rgba) < MIN_INKED_PIXELS:
        raise _refuse("The signature is empty: the learner must sign.")
    out = io.BytesIO()
    rgba.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _inked_pixels(rgba: Image.Image) -> int:
    # Ink: a visible pixel that is not (near) white, whatever the background the client drew on.
    alpha = rgba.getchannel("A").point(lambda a: 255 if a > 64 else 0)
    dark = rgba.convert("L").point(lambda v: 255 if v < 200 else 0)
    inked = Image.composite(dark, Image.new("L", rgba.size, 0), alpha)
    return sum(inked.histogram()[255:])


def signed_hash(record: dict, png: bytes) -> str:
    """SHA-256 (hex) over what was signed: the record (text, version, items, parts, people, times)
    in canonical JSON, then the signature image's own SHA-256. Anyone holding the receipt's data can
    compute it again."""
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode())
    digest.update(hashlib.sha256(png).hexdigest().encode())
    return digest.hexdigest()
