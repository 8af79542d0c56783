"""Refuse requests whose Host header is not ours (port ignored), or that send several, with a problem response."""

from __future__ import annotations

import json

from litestar.types import ASGIApp, Receive, Scope, Send

from fablab.domain import codes

BODY = json.dumps({
    "type": "about:blank", "title": "Unknown host", "status": 400,
    "detail": "This server does not answer for that host name.", "code": codes.INVALID_HOST,
}).encode()
# Two Host headers: a proxy may route on the first while we checked the last (issue 16).
SEVERAL_BODY = json.dumps({
    "type": "about:blank", "title": "Several Host headers", "status": 400,
    "detail": "A request names one host only.", "code": codes.INVALID_HOST,
}).encode()


def problem_400(body: bytes):
    start = {"type": "http.response.start", "status": 400, "headers": [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]}
    return start, {"type": "http.response.body", "body": body}


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
                hosts = [value for name, value in scope.get("headers", []) if name.lower() == b"host"]
                refusal = None
                if len(hosts) > 1:
                    refusal = SEVERAL_BODY
                elif not is_allowed(host_name((hosts[0] if hosts else b"").decode("latin-1"))):
                    refusal = BODY
                if refusal is not None:
                    for message in problem_400(refusal):
                        await send(message)
                    return
            await app(scope, receive, send)

        return middleware

    return factory
