"""Receipts of a hand-over as PDF (reportlab): what went out, with its parts, return times and the
learner's signature; and what came back, in what condition, with the parts still missing. No I/O."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

FONT, BOLD = "Helvetica", "Helvetica-Bold"
MARGIN = 18 * mm
WIDTH, HEIGHT = A4
CONDITIONS = {"ok": "bon état", "damaged": "abîmé", "incomplete": "incomplet"}


class _Page:
    """A canvas written top to bottom, a new page when the text reaches the bottom margin."""

    def __init__(self, title: str) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, pageCompression=1)
        self.canvas.setTitle(title)
        self.y = HEIGHT - MARGIN

    def need(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.canvas.showPage()
            self.y = HEIGHT - MARGIN

    def line(self, text: str, *, size: float = 10, bold: bool = False, indent: float = 0) -> None:
        for piece in simpleSplit(text, BOLD if bold else FONT, size, WIDTH - 2 * MARGIN - indent) or [""]:
            self.need(size * 1.4)
            self.canvas.setFont(BOLD if bold else FONT, size)
            self.canvas.drawString(MARGIN + indent, self.y - size, piece)
            self.y -= size * 1.4

    def gap(self, height: float = 4 * mm) -> None:
        self.y -= height

    def image(self, png: bytes, width: float = 70 * mm) -> None:
        reader = ImageReader(io.BytesIO(png))
        pixels_wide, pixels_high = reader.getSize()
        height = width * pixels_high / max(pixels_wide, 1)
        self.need(height + 4 * mm)
        self.y -= 2 * mm  # the frame clear of the line above it
        self.canvas.rect(MARGIN, self.y - height - 1 * mm, width + 2 * mm, height + 2 * mm, stroke=1, fill=0)
        self.canvas.drawImage(reader, MARGIN + 1 * mm, self.y - height, width, height, mask="auto")
        self.y -= height + 3 * mm

    def pdf(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def when(instant: datetime | None, timezone: str) -> str:
    if instant is None:
        return "—"
    return instant.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")


def _person(person: dict | None) -> str:
    return f"{person['name']} ({person['login']})" if person else "personne effacée"


def _heading(page: _Page, handover: dict, title: str) -> None:
    page.line(title, size=16, bold=True)
    page.line(f"{handover['site_name']} — prêt n° {handover['id']}")
    page.gap()
    page.line(f"Emprunteur : {_person(handover['user'])}")
    page.line(f"Remis par : {_person(handover['staff'])}")
    page.line(f"Remis le : {when(handover['at'], handover['timezone'])}")
    page.gap()


def loan_receipt(handover: dict) -> bytes:
    """The receipt of the hand-over: items, parts, return times, the agreement signed and the signature."""
    page = _Page(f"Reçu de prêt {handover['id']}")
    tz = handover["timezone"]
    _heading(page, handover, "Reçu de prêt")
    page.line("Matériel remis", size=12, bold=True)
    for item in handover["items"]:
        page.line(f"{item['tag']} — {item['name']} — à rendre le {when(item['due_at'], tz)}", bold=True)
        parts = ", ".join(part["name"] for part in item["parts"]) or "aucun"
        page.line(f"Accessoires remis : {parts}", indent=6 * mm)
    page.gap()
    if handover["agreement_version"] is not None:
        page.line(f"Charte de prêt, version {handover['agreement_version']}", size=12, bold=True)
        for paragraph in handover["agreement_text"].splitlines():
            page.line(paragraph, size=9)
        page.gap()
        page.line("Signature de l'emprunteur :", bold=True)
        if handover["signature_png"]:
            page.image(bytes(handover["signature_png"]))
        else:
            page.line("(effacée)")
        page.line(f"Empreinte SHA-256 : {handover['signed_hash']}", size=7)
    else:
        page.line("Aucune charte à signer pour ce prêt.", size=9)
    return page.pdf()


def _return_line(item: dict, tz: str) -> str:
    if item["status"] != "returned":
        return f"{item['tag']} — {item['name']} — pas encore rendu (attendu le {when(item['due_at'], tz)})"
    condition = CONDITIONS.get(item["condition"] or "ok", item["condition"])
    return f"{item['tag']} — {item['name']} — rendu le {when(item['returned_at'], tz)}, {condition}"


def return_receipt(handover: dict) -> bytes:
    """What came back of the hand-over, item by item (they may come back one by one): when, in what
    condition, and the parts that did not come back (the learner still holds them)."""
    page = _Page(f"Reçu de retour {handover['id']}")
    tz = handover["timezone"]
    _heading(page, handover, "Reçu de retour")
    page.line("Matériel", size=12, bold=True)
    for item in handover["items"]:
        page.line(_return_line(item, tz), bold=True)
        if item["status"] == "returned":
            missing = ", ".join(part["name"] for part in item["missing_parts"])
            page.line(f"Accessoires manquants : {missing}" if missing else "Accessoires : tous rendus", indent=6 * mm)
    return page.pdf()
