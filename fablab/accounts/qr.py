"""QR codes of invite links and learner passes, as SVG text (no I/O; tests call it directly)."""

from __future__ import annotations

import base64

import qrcode
import qrcode.constants
from qrcode.image.svg import SvgPathFillImage

# M recovers ~15 % damage (a cracked phone screen) and keeps a ~90-character URL at version 5.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def qr_svg(text: str) -> str:
    """An SVG with a white background: a transparent one vanishes on a phone in dark mode."""
    image = qrcode.make(text, image_factory=SvgPathFillImage, error_correction=ERROR_CORRECTION)
    return image.to_string(encoding="unicode")


def svg_data_url(svg: str) -> str:
    """For an <img src>, which the web app can set without inserting markup (CSP allows data: images)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
