"""CSRF, beyond what Litestar's middleware does (issue 26, items 7 and 8).

- The token is accepted from the X-CSRFToken header only. Litestar also reads a `_csrf_token`
  form field when the header is missing: a plain HTML form on another site can post one, and the
  app never sends forms, so an unsafe request without the header is refused here first.
- A response that shared caches may keep (Cache-Control: public: /api/vocabulary, the public
  .ics feeds) carries no csrftoken cookie: a proxy would hand one visitor's token to everyone.
"""

from __future__ import annotations

from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _public(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(name.lower() == b"cache-control" and b"public" in value.lower() for name, value in headers)


def csrf_header_only_middleware(cookie_name: str, header_name: str):
    cookie_prefix, header = f"{cookie_name}=".encode(), header_name.lower().encode()

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            if scope["method"] not in SAFE_METHODS and not any(name == header for name, _ in scope["headers"]):
                raise PermissionDeniedException("CSRF token verification failed")

            async def send_without_shared_cookie(message: Message) -> None:
                if message["type"] == "http.response.start" and _public(message.get("headers", [])):
                    kept = [(name, value) for name, value in message["headers"]
                            if not (name.lower() == b"set-cookie" and value.startswith(cookie_prefix))]
                    message = {**message, "headers": kept}
                await send(message)

            await app(scope, receive, send_without_shared_cookie)

        return middleware

    return factory
