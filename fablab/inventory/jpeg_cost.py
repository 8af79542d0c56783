"""What a JPEG will cost to decode, read from its markers before a pixel is decoded; no I/O.

libjpeg decodes a progressive JPEG in as many passes as the file has scans, each over every block
of the image, and keeps all the image's DCT coefficients (2 bytes each, at full size whatever
scale is asked) until the last scan: 50,000 scans in 5 MB took 225 s of CPU, and a 50 MP
progressive photo of under 800 KB held about 150 MB per decode. A baseline JPEG in one scan is
decoded in one pass at a reduced scale (Image.draft) and costs little. The frame header (SOF) and
the scans say all this, so an image that cannot be decoded cheaply is refused before its decode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Frame kinds (SOF markers) libjpeg decodes in one pass (baseline, extended) or in several (progressive).
SEQUENTIAL = {0xC0, 0xC1}
PROGRESSIVE = {0xC2}
# Lossless, hierarchical and arithmetic-coded frames: no phone or browser writes them.
OTHER_FRAMES = {0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
START_OF_SCAN = 0xDA
END_OF_IMAGE = 0xD9
# The end of a scan's coded data: a marker other than a stuffed zero or a restart (RST0-7).
_NEXT_MARKER = re.compile(rb"\xff+[^\x00\xd0-\xd7\xff]")
# Markers that stand alone, without a length: TEM, RST0-7, SOI.
STANDALONE = {0x01, *range(0xD0, 0xD8), 0xD8}
BLOCK_PIXELS = 8
COEFFICIENT_BYTES = 64 * 2  # one 8 x 8 block of 16-bit DCT coefficients


@dataclass(frozen=True)
class JpegFrame:
    marker: int
    width: int
    height: int
    sampling: tuple[tuple[int, int], ...]  # (horizontal, vertical) factor of each component
    scans: int
    segments: int

    @property
    def progressive(self) -> bool:
        return self.marker in PROGRESSIVE

    @property
    def supported(self) -> bool:
        return self.marker in SEQUENTIAL | PROGRESSIVE

    def blocks(self) -> int:
        """The 8 x 8 blocks of all components, each subsampled as its factors say."""
        h_max = max((h for h, _ in self.sampling), default=1) or 1
        v_max = max((v for _, v in self.sampling), default=1) or 1
        total = 0
        for h, v in self.sampling:
            columns = -(-self.width * h // h_max) // BLOCK_PIXELS + 1
            rows = -(-self.height * v // v_max) // BLOCK_PIXELS + 1
            total += columns * rows
        return total

    def coefficient_bytes(self) -> int:
        """What libjpeg holds when it decodes in several passes (a progressive frame, or a
        sequential one in several scans): every coefficient of the image, at full size."""
        return self.blocks() * COEFFICIENT_BYTES if self.progressive or self.scans > 1 else 0

    def scan_blocks(self) -> int:
        """Blocks visited over all scans, the measure of a decode's CPU time (one pass per scan)."""
        return self.blocks() * max(self.scans, 1)


def _frame_header(data: bytes, start: int, marker: int) -> tuple[int, int, int, tuple] | None:
    """(marker, width, height, sampling) from a SOF segment, or None when it is cut short."""
    if start + 8 > len(data):
        return None
    height = int.from_bytes(data[start + 3:start + 5], "big")
    width = int.from_bytes(data[start + 5:start + 7], "big")
    count = data[start + 7]
    table = data[start + 8:start + 8 + 3 * count]
    if len(table) < 3 * count:
        return None
    sampling = tuple((table[i + 1] >> 4, table[i + 1] & 0x0F) for i in range(0, len(table), 3))
    return marker, width, height, sampling


def read_frame(data: bytes, max_segments: int) -> JpegFrame | None:
    """The first image's frame header, scans and segments, walked as libjpeg walks them (stray
    bytes between segments skipped, a scan's coded data skipped to the next marker); the walk stops
    after `max_segments`. None when there is no frame header (Pillow then says what is wrong)."""
    if not data.startswith(b"\xff\xd8"):
        return None
    position, header, scans, segments = 2, None, 0, 0
    while segments <= max_segments:
        position = data.find(b"\xff", position)
        if position < 0 or position + 4 > len(data):
            break
        marker = data[position + 1]
        if marker in (0x00, 0xFF) or marker in STANDALONE:
            position += 1 if marker == 0xFF else 2  # fill byte, or a marker without a length
            continue
        if marker == END_OF_IMAGE:
            break
        segments += 1
        length = int.from_bytes(data[position + 2:position + 4], "big")
        if header is None and marker in SEQUENTIAL | PROGRESSIVE | OTHER_FRAMES:
            header = _frame_header(data, position + 2, marker)
        if marker != START_OF_SCAN:
            position += 2 + length
            continue
        scans += 1
        coded = _NEXT_MARKER.search(data, position + 2 + length)
        if coded is None:
            break
        position = coded.end() - 2
    if header is None:
        return None
    return JpegFrame(*header, scans=scans, segments=segments)
