"""Refuse paths holding a NUL character before any route sees them (a 400 with a code).

`GET /%00` reached the static file router, whose file system call raised "embedded null byte"
(a 500). No path of ours, and no file name, holds one.
"""

from __future__ import annotations

import json

from litestar.types import ASGIApp, Receive, Scope, Send

from fablab.domain import codes

BODY = json.dumps({
    "type": "about:blank", "title": "Invalid path", "status": 400,
    "detail": "The path holds a NUL character.", "code": codes.INVALID_PATH,
}).encode()


def nul_path_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "\x00" in scope.get("path", ""):
            await send({"type": "http.response.start", "status": 400, "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(BODY)).encode()),
            ]})
            await send({"type": "http.response.body", "body": BODY})
            return
        await app(scope, receive, send)

    return middleware
