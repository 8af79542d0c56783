"""Draw the web app's icons (static/icons/*.png) with Pillow: a QR-like mark on the brand blue."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (29, 78, 137)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def finder(draw: ImageDraw.ImageDraw, x: float, y: float, cell: float) -> None:
    draw.rectangle([x, y, x + 7 * cell, y + 7 * cell], fill=WHITE)
    draw.rectangle([x + cell, y + cell, x + 6 * cell, y + 6 * cell], fill=BRAND)
    draw.rectangle([x + 2 * cell, y + 2 * cell, x + 5 * cell, y + 5 * cell], fill=WHITE)


def icon(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), BRAND)
    draw = ImageDraw.Draw(image)
    # Maskable icons are cropped to a circle by Android: keep the mark inside the middle 60 %.
    margin = size * (0.22 if maskable else 0.14)
    cell = (size - 2 * margin) / 17
    finder(draw, margin, margin, cell)
    finder(draw, margin + 10 * cell, margin, cell)
    finder(draw, margin, margin + 10 * cell, cell)
    for cx, cy in [(10, 10), (12, 10), (14, 12), (10, 13), (12, 14), (15, 15), (14, 10), (10, 15), (15, 13)]:
        draw.rectangle([margin + cx * cell, margin + cy * cell, margin + (cx + 2) * cell, margin + (cy + 2) * cell], fill=WHITE)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    icon(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    icon(180, maskable=False).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
