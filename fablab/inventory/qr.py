"""QR drawing with no I/O: the module matrix, an SVG and a PNG of it (tests call these directly)."""

from __future__ import annotations

import io
import math

import qrcode
import qrcode.constants
from PIL import Image

# M recovers ~15 % damage: enough for a scuffed label while keeping the code small (version 3
# for a typical tag URL, 29 modules).
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE = 4  # modules of white around the code, the minimum the QR standard asks for
# A PNG this wide prints sharp at 25-30 mm (about 300 dpi), which phones read from 30 cm.
MIN_PNG_PIXELS = 320


def qr_matrix(text: str) -> list[list[bool]]:
    """Rows of modules (True = dark), quiet zone included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


def dark_runs(matrix: list[list[bool]]):
    """(row, first column, length) of each horizontal run of dark modules: fewer shapes to draw."""
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                yield y, start, x - start
            else:
                x += 1


def svg_path_data(matrix: list[list[bool]]) -> str:
    return "".join(f"M{x} {y}h{length}v1h-{length}z" for y, x, length in dark_runs(matrix))


def qr_svg(text: str, *, size: str | None = None, title: str | None = None) -> str:
    """A standalone SVG; `size` (e.g. "30mm") sets its printed width and height.

    Presentation attributes only (fill, shape-rendering), no style attribute: the pages that
    inline it are served with a CSP that forbids inline styles.
    """
    matrix = qr_matrix(text)
    n = len(matrix)
    dimensions = f' width="{size}" height="{size}"' if size else ""
    label = f"<title>{_xml_escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}"{dimensions} '
        f'shape-rendering="crispEdges" role="img">{label}'
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{svg_path_data(matrix)}"/></svg>'
    )


def qr_png(text: str, *, min_pixels: int = MIN_PNG_PIXELS) -> bytes:
    """A black-and-white PNG with whole pixels per module (no blurry scaling)."""
    matrix = qr_matrix(text)
    n = len(matrix)
    box = max(1, math.ceil(min_pixels / n))
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    image = small.resize((n * box, n * box), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
