"""Reading a QR code from an uploaded photo, for phones whose browser has no BarcodeDetector; no I/O."""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import warnings

import zxingcpp
from PIL import Image, UnidentifiedImageError

from fablab.domain import codes
from fablab.domain.errors import FileTooLarge, ImageTooCostly, InvalidInput, NoCodeFound, UnsupportedImage
from fablab.inventory import jpeg_cost

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Formats phones and browsers produce. Pillow identifies them by their bytes, not by the name
# or the Content-Type the client claims. SVG is refused: it is a document that can carry scripts.
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"}
# A 5 MB file can claim huge dimensions (a 103 KB WebP of 7000 x 7000 px cost 700 MB): the header
# says the size, and it is checked before a pixel is decoded. JPEG (what phone cameras write)
# decodes at a reduced scale (Image.draft), so even a 50 MP photo costs about 13 MB. Other formats
# decode whole, at a cost per pixel measured with Pillow 13 (peak RSS of a load and a convert to
# grey): WebP about 16 bytes (libwebp's RGBA frame and its copies), the others at most 5.
MAX_PIXELS = 50_000_000
SCALED_FORMATS = {"JPEG", "MPO"}
BYTES_PER_PIXEL = {"WEBP": 16}
DEFAULT_BYTES_PER_PIXEL = 5
# What one whole decode may cost: a 12 MP PNG, a 4 MP WebP.
MAX_DECODE_BYTES = 64 * 1024 * 1024
# Decoding at this size keeps memory and time low and still reads a label filling a tenth of the photo.
DECODE_LONG_SIDE = 2400
# What one JPEG decode may cost, known from its markers before it starts (fablab/inventory/jpeg_cost.py):
# the coefficients libjpeg holds for a progressive image (a 20 MP colour photo; 150 MB for 50 MP),
# the blocks it visits over all scans (about 40 ns each: a second; a phone's photo needs a tenth
# of that), and its segments (a photo has a few dozen).
MAX_COEFFICIENT_BYTES = 64 * 1024 * 1024
MAX_SCAN_BLOCKS = 25_000_000
MAX_JPEG_SEGMENTS = 1000
# A CMYK JPEG decodes to 4 bytes a pixel, then goes through RGB to grey: it is drafted to half
# the size of the others (a label still spans hundreds of pixels).
CMYK_DECODE_LONG_SIDE = DECODE_LONG_SIDE // 2
# Decodes at once per worker, each a core's worth of work and up to ~60 MB: more requests wait.
CONCURRENT_DECODES = 2


def _malloc_trim():
    """glibc's malloc_trim, or a no-op elsewhere. Each decoding thread frees its tens of MB into
    its own malloc arena, which glibc keeps: without a trim a worker's RSS only ever grows."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return lambda _pad: 0


release_freed_memory = _malloc_trim()


def _looks_like_svg_or_markup(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html")) or b"<svg" in head[:1024].lower()


def pixel_budget(image_format: str) -> int:
    if image_format in SCALED_FORMATS:
        return MAX_PIXELS
    return MAX_DECODE_BYTES // BYTES_PER_PIXEL.get(image_format, DEFAULT_BYTES_PER_PIXEL)


def check_pixel_budget(image_format: str, width: int, height: int) -> None:
    budget = pixel_budget(image_format)
    if width * height > budget:
        raise UnsupportedImage(
            f"The image has too many pixels ({width} x {height}); send a photo of at most "
            f"{budget / 1_000_000:.0f} megapixels in {image_format}.", code=codes.IMAGE_TOO_LARGE)


def draft_box(width: int, height: int, target: int = DECODE_LONG_SIDE) -> tuple[int, int]:
    """The smallest size the JPEG decoder may scale to: the long side at `target`, in
    proportion (a square box would keep a 6000 x 4000 photo at full size, its short side being short)."""
    long_side = max(width, height, 1)
    if long_side <= target:
        return width, height
    return max(1, width * target // long_side), max(1, height * target // long_side)


def check_jpeg_cost(data: bytes) -> None:
    """Refuse, before its decode, a JPEG whose decode would hold too much memory or CPU."""
    frame = jpeg_cost.read_frame(data, max_segments=MAX_JPEG_SEGMENTS)
    if frame is None:
        raise UnsupportedImage("The image is damaged or truncated.", code=codes.DAMAGED_IMAGE)
    if not frame.supported:
        raise UnsupportedImage("This kind of JPEG (lossless, hierarchical or arithmetic-coded) is not accepted; "
                               "send the camera's photo.")
    if (frame.segments > MAX_JPEG_SEGMENTS or frame.scan_blocks() > MAX_SCAN_BLOCKS
            or frame.coefficient_bytes() > MAX_COEFFICIENT_BYTES):
        raise ImageTooCostly(
            f"This JPEG ({frame.width} x {frame.height}, {frame.scans} scans) would cost too much to decode; "
            "send the camera's photo as it is, or a smaller one.")


def _refuse_by_bytes(data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileTooLarge(f"The photo must be {MAX_UPLOAD_BYTES // (1024 * 1024)} MB at most.")
    if not data:
        raise InvalidInput("The file is empty.", code=codes.EMPTY_FILE)
    if _looks_like_svg_or_markup(data[:2048]):
        raise UnsupportedImage("SVG and other documents are not accepted; send a photo (JPEG, PNG, WebP).",
                               code=codes.SVG_NOT_ACCEPTED)


def _open_header(data: bytes) -> Image.Image:
    """The image as Pillow opens it from its header, once what it says passed every budget."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))  # reads the header only
    if image.format not in ACCEPTED_FORMATS:
        raise UnsupportedImage(f"{image.format} images are not accepted; send a JPEG, PNG or WebP.")
    check_pixel_budget(image.format, image.width, image.height)
    if image.format in SCALED_FORMATS:
        check_jpeg_cost(data)
    return image


def _unreadable(error: Exception) -> UnsupportedImage:
    if isinstance(error, (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return UnsupportedImage("The file is not an image we can read; send a JPEG, PNG or WebP photo.")
    return UnsupportedImage("The image is damaged or truncated.", code=codes.DAMAGED_IMAGE)


UNREADABLE = (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
              OSError, SyntaxError, ValueError)


def check_header(data: bytes) -> None:
    """The refusals that need no decode (size, kind, pixels, a JPEG's cost): cheap enough for the
    worker itself, so that a bomb costs no decoding child."""
    _refuse_by_bytes(data)
    try:
        _open_header(data)
    except UNREADABLE as error:
        raise _unreadable(error) from None


def open_image(data: bytes) -> Image.Image:
    """The uploaded bytes as a Pillow image, or a 413/415/422 problem."""
    _refuse_by_bytes(data)
    try:
        _open_header(data).verify()  # structural check; the image must be reopened afterwards
        image = Image.open(io.BytesIO(data))
        target = CMYK_DECODE_LONG_SIDE if image.mode == "CMYK" else DECODE_LONG_SIDE
        image.draft("L", draft_box(image.width, image.height, target))  # JPEG: decode at reduced scale
        image.load()
    except UNREADABLE as error:
        raise _unreadable(error) from None
    return image


def decode_qr(data: bytes) -> str:
    """The text of the first QR code found in the image; CPU-bound, run it in a bounded child (scan_child)."""
    try:
        return _decode_qr(data)
    finally:
        release_freed_memory(0)


def _decode_qr(data: bytes) -> str:
    image = open_image(data)
    image = image.convert("L")  # the colour original is dropped here: one copy at a time
    if max(image.size) > DECODE_LONG_SIDE:
        image.thumbnail((DECODE_LONG_SIDE, DECODE_LONG_SIDE))  # reduce() first, then a light resample
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    if not found:
        raise NoCodeFound("No QR code found in the photo; try closer, with more light.")
    return found[0].text
