"""Refuse requests whose Host header is not ours (port ignored), with a problem response."""

from __future__ import annotations

import json

from litestar.types import ASGIApp, Receive, Scope, Send

BODY = json.dumps({
    "type": "about:blank", "title": "Unknown host", "status": 400,
    "detail": "This server does not answer for that host name.", "code": "invalid_host",
}).encode()


def host_name(raw: str) -> str:
    raw = raw.strip().lower()
    if raw.startswith("["):  # IPv6 literal, e.g. [::1]:8000
        return raw[: raw.find("]") + 1]
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


def allowed_hosts_middleware(allowed: tuple[str, ...]):
    exact = {h.lower() for h in allowed if not h.startswith("*.")}
    suffixes = tuple(h[1:].lower() for h in allowed if h.startswith("*."))
    anything = "*" in exact

    def is_allowed(host: str) -> bool:
        return anything or host in exact or (bool(suffixes) and host.endswith(suffixes))

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] in ("http", "websocket"):
                headers = dict(scope.get("headers", []))
                host = host_name(headers.get(b"host", b"").decode("latin-1"))
                if not is_allowed(host):
                    await send({"type": "http.response.start", "status": 400, "headers": [
                        (b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(BODY)).encode()),
                    ]})
                    await send({"type": "http.response.body", "body": BODY})
                    return
            await app(scope, receive, send)

        return middleware

    return factory
