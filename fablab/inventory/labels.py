"""A4 label sheets (3 × 7 labels of 63.5 × 38.1 mm) as printable HTML and as vector PDF; no I/O."""

from __future__ import annotations

import html
import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from fablab.domain import codes
from fablab.domain.errors import InvalidInput
from fablab.inventory.qr import dark_runs, qr_matrix, qr_svg


@dataclass(frozen=True)
class SheetGeometry:
    """The common 21-label A4 sheet (Avery L7160 and its French equivalents), in millimetres."""

    columns: int = 3
    rows: int = 7
    label_width: float = 63.5
    label_height: float = 38.1
    left_margin: float = 7.21
    top_margin: float = 15.15
    column_gap: float = 2.54
    # QR square including its quiet zone: ~26 mm of code proper, readable from 30 cm.
    qr_size: float = 34.0
    padding: float = 2.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def origin(self, slot: int) -> tuple[float, float]:
        """Top-left corner of a slot (0 = top left, row by row), from the page's top-left, in mm."""
        row, column = divmod(slot, self.columns)
        return (self.left_margin + column * (self.label_width + self.column_gap),
                self.top_margin + row * self.label_height)


SHEET = SheetGeometry()
TAG_FONT, TEXT_FONT = "Helvetica-Bold", "Helvetica"


@dataclass(frozen=True)
class Label:
    tag: str
    name: str
    site: str
    url: str  # what the QR code encodes


def check_offset(offset: int, geometry: SheetGeometry = SHEET) -> int:
    if not 0 <= offset < geometry.per_page:
        raise InvalidInput(
            f"offset must be between 0 and {geometry.per_page - 1} (labels already used on the sheet)",
            code=codes.INVALID_OFFSET,
        )
    return offset


def paginate(labels: list[Label], offset: int, geometry: SheetGeometry = SHEET) -> list[list[Label | None]]:
    """Pages of slots; the first `offset` slots of the first page stay empty (a part-used sheet)."""
    check_offset(offset, geometry)
    slots: list[Label | None] = [None] * offset + list(labels)
    return [slots[i:i + geometry.per_page] for i in range(0, max(len(slots), 1), geometry.per_page)]


# --- HTML -------------------------------------------------------------------------------------

# The tag's font sizes the stylesheet knows (labels.css: .tag.tag-95 … .tag.tag-60), largest first.
HTML_TAG_SIZES = (9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0)
# A millimetre less than the text column (label - padding - QR - gap), for the browsers' rounding.
HTML_TEXT_WIDTH_MM = SHEET.label_width - 2 * SHEET.padding - SHEET.qr_size - 1 - 1
# Browsers without Helvetica or Arial draw it with their own sans-serif: on Debian that is DejaVu
# Sans, whose bold is about 15 % wider. Sizing for it costs Arial a point at most; it never cuts.
FALLBACK_FONT_WIDTH = 1.15


def tag_size_class(tag: str, width_mm: float = HTML_TEXT_WIDTH_MM) -> str:
    """The largest size at which the tag fits its line ("VLG-ROOM-001" does not at 9.5 pt), measured
    as the PDF measures it (widened for fallback fonts); a tag too long even at 6 pt wraps
    (`tag-wrap`) rather than be cut."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for size in HTML_TAG_SIZES:
        if stringWidth(tag, TAG_FONT, size) * FALLBACK_FONT_WIDTH <= width_mm * mm:
            return f"tag-{round(size * 10)}"
    return "tag-wrap"


def render_html(labels: list[Label], *, offset: int = 0, stylesheet_href: str = "/labels.css") -> str:
    """A page the browser prints at 100 %; all layout lives in the stylesheet (CSP: no inline style)."""
    pages = paginate(labels, offset)
    sheets = []
    for page in pages:
        cells = []
        for label in page:
            if label is None:
                cells.append('<div class="label blank"></div>')
                continue
            cells.append(
                '<div class="label">'
                + qr_svg(label.url, title=label.tag)
                + '<div class="text">'
                f'<p class="tag {tag_size_class(label.tag)}">{html.escape(label.tag)}</p>'
                f'<p class="name">{html.escape(label.name)}</p>'
                f'<p class="site">{html.escape(label.site)}</p>'
                "</div></div>"
            )
        sheets.append('<section class="sheet">' + "".join(cells) + "</section>")
    count = len(labels)
    return (
        # On a phone the sheet is shown shrunk to the screen's width (label-sheet.js), not as a
        # desktop page zoomed out whose print button is a few millimetres wide.
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Étiquettes ({count})</title>"
        f'<link rel="stylesheet" href="{html.escape(stylesheet_href)}">'
        # The print button's handler (CSP: no inline script); the button itself never prints.
        '<script type="module" src="/js/label-sheet.js"></script></head><body>'
        f'<div class="screen-only intro"><p>{count} {"étiquette" if count < 2 else "étiquettes"}, planche A4 de '
        "3 × 7 (63,5 × 38,1 mm). Imprimer en taille réelle (100 %), sans marges ni en-têtes.</p>"
        '<p><button type="button" class="print-sheet">Imprimer</button></p></div>'
        + "".join(sheets)
        + "</body></html>"
    )


# --- PDF --------------------------------------------------------------------------------------

def _fit_font_size(text: str, font: str, width: float, largest: float, smallest: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    size = largest
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def _draw_qr(canvas: Canvas, text: str, x: float, y_top: float, size: float) -> None:
    """The matrix as filled rectangles (vector: sharp at any printer resolution)."""
    matrix = qr_matrix(text)
    module = size / len(matrix)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for row, column, length in dark_runs(matrix):
        path.rect(x + column * module, y_top - (row + 1) * module, length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)


def _at_most(lines: list[str], count: int) -> list[str]:
    if len(lines) <= count:
        return lines
    return lines[:count - 1] + [lines[count - 1].rstrip() + "…"]


def _draw_label(canvas: Canvas, label: Label, slot: int, geometry: SheetGeometry) -> None:
    page_height = A4[1]
    left_mm, top_mm = geometry.origin(slot)
    left, top = left_mm * mm, page_height - top_mm * mm
    pad, qr = geometry.padding * mm, geometry.qr_size * mm
    qr_top = top - (geometry.label_height * mm - qr) / 2
    _draw_qr(canvas, label.url, left + pad, qr_top, qr)

    text_left = left + pad + qr + 1 * mm
    text_width = geometry.label_width * mm - (text_left - left) - pad
    y = top - 9 * mm
    size = _fit_font_size(label.tag, TAG_FONT, text_width, 10, 5)
    canvas.setFont(TAG_FONT, size)
    canvas.drawString(text_left, y, label.tag)
    y -= 5 * mm
    canvas.setFont(TEXT_FONT, 7.5)
    for line in _at_most(simpleSplit(label.name, TEXT_FONT, 7.5, text_width), 3):
        canvas.drawString(text_left, y, line)
        y -= 3.2 * mm
    canvas.setFont(TEXT_FONT, 6.5)
    for line in simpleSplit(label.site, TEXT_FONT, 6.5, text_width)[:2]:
        canvas.drawString(text_left, y - 1 * mm, line)
        y -= 2.8 * mm


def render_pdf(labels: list[Label], *, offset: int = 0, geometry: SheetGeometry = SHEET) -> bytes:
    pages = paginate(labels, offset, geometry)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"Étiquettes ({len(labels)})")
    for page in pages:
        for slot, label in enumerate(page):
            if label is not None:
                _draw_label(canvas, label, slot, geometry)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
