"""Gzip for text the server sends (the app's files, JSON, CSV, calendars); images and PDFs as they are."""

from __future__ import annotations

from litestar.config.compression import CompressionConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import Message, Scope, Send

# Below this a response fits in a packet or two either way, and gzip's own header and the CPU
# spent are not worth it (an /api/me answer, a 304, a problem response).
MINIMUM_BYTES = 1024
# Level 6 (zlib's default) is within a few per cent of 9 on these files for about half the CPU,
# and the app's files are compressed again on every cold visit.
GZIP_LEVEL = 6
COMPRESSIBLE_PREFIXES = ("text/", "application/json", "application/problem+json", "application/javascript",
                         "application/manifest+json", "image/svg+xml")


def compressible(content_type: str) -> bool:
    return content_type.lower().startswith(COMPRESSIBLE_PREFIXES)


class TextCompressionMiddleware(CompressionMiddleware):
    """Litestar's compression, for text only: PNG and PDF are compressed already, and gzipping them
    again costs CPU for nothing (Litestar's own middleware compresses whatever is large enough)."""

    def create_compression_send_wrapper(self, send: Send, compression_encoding, scope: Scope) -> Send:
        compressing = super().create_compression_send_wrapper(send, compression_encoding, scope)
        chosen: Send | None = None

        async def send_wrapper(message: Message) -> None:
            nonlocal chosen
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders(message)
                as_text = compressible(headers.get("content-type", "")) and "content-encoding" not in headers
                chosen = compressing if as_text else send
            await (chosen or send)(message)

        return send_wrapper


COMPRESSION = CompressionConfig(
    backend="gzip", minimum_size=MINIMUM_BYTES, gzip_compress_level=GZIP_LEVEL,
    middleware_class=TextCompressionMiddleware,
)
