"""Security headers on every response, errors included (an ASGI middleware sees them all)."""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

# One policy everywhere, /schema included: its viewer is served from our own files
# (fablab.web.schema_viewer), so nothing needs another host or an inline script.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSP_BYTES = CSP.encode()

BASE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def security_headers_middleware(hsts: bool):
    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    present = {name.lower() for name, _ in headers}
                    for name, value in BASE_HEADERS:
                        if name not in present:
                            headers.append((name, value))
                    if b"content-security-policy" not in present:
                        headers.append((b"content-security-policy", CSP_BYTES))
                    if hsts:
                        headers.append((b"strict-transport-security", b"max-age=31536000"))
                    message = {**message, "headers": headers}
                await send(message)

            await app(scope, receive, send_with_headers)

        return middleware

    return factory
