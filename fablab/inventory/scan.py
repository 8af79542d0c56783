"""Reading a QR code from an uploaded photo, for phones whose browser has no BarcodeDetector; no I/O."""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image, UnidentifiedImageError

from fablab.errors import DomainError, InvalidInput

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Formats phones and browsers produce. Pillow identifies them by their bytes, not by the name
# or the Content-Type the client claims. SVG is refused: it is a document that can carry scripts.
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"}
# A 5 MB file can still claim huge dimensions (decompression bomb); 50 MP covers phone cameras.
MAX_PIXELS = 50_000_000
# Decoding at this size keeps memory and time low and still reads a label filling a tenth of the photo.
DECODE_LONG_SIDE = 2400


class UnsupportedImage(DomainError):
    status, code, title = 415, "unsupported_image", "Not an accepted image"


class NoCodeFound(DomainError):
    status, code, title = 422, "no_qr_found", "No QR code found"


class FileTooLarge(DomainError):
    status, code, title = 413, "file_too_large", "File too large"


def _looks_like_svg_or_markup(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html")) or b"<svg" in head[:1024].lower()


def open_image(data: bytes) -> Image.Image:
    """The uploaded bytes as a Pillow image, or a 413/415 problem."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileTooLarge(f"The photo must be {MAX_UPLOAD_BYTES // (1024 * 1024)} MB at most.")
    if not data:
        raise InvalidInput("The file is empty.", code="empty_file")
    if _looks_like_svg_or_markup(data[:2048]):
        raise UnsupportedImage("SVG and other documents are not accepted; send a photo (JPEG, PNG, WebP).",
                               code="svg_not_accepted")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise UnsupportedImage(f"{image.format} images are not accepted; send a JPEG, PNG or WebP.")
            if image.width * image.height > MAX_PIXELS:
                raise UnsupportedImage("The image has too many pixels.", code="image_too_large")
            image.verify()  # structural check; the image must be reopened afterwards
        image = Image.open(io.BytesIO(data))
        image.draft("L", (DECODE_LONG_SIDE, DECODE_LONG_SIDE))  # JPEG: decode at reduced scale
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnsupportedImage("The file is not an image we can read; send a JPEG, PNG or WebP photo.") from None
    except (OSError, SyntaxError, ValueError):
        raise UnsupportedImage("The image is damaged or truncated.", code="damaged_image") from None
    return image


def decode_qr(data: bytes) -> str:
    """The text of the first QR code found in the image; CPU-bound, run it in a thread."""
    image = open_image(data)
    image = image.convert("L")
    if max(image.size) > DECODE_LONG_SIDE:
        image.thumbnail((DECODE_LONG_SIDE, DECODE_LONG_SIDE))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    if not found:
        raise NoCodeFound("No QR code found in the photo; try closer, with more light.")
    return found[0].text
