"""Requests still running when a shutdown's grace period ends: a 503 with Retry-After, not a 500.

On SIGTERM uvicorn lets requests in progress finish for `timeout_graceful_shutdown` seconds, then
cancels them; a cancelled request used to end in "Exception in ASGI application", a traceback and a
plain 500 (issue 27). Here the request runs as a task of its own: when the task uvicorn awaits is
cancelled before any answer was sent, the client is told to retry (another worker or the restarted
server answers), and the request is cancelled in turn, its transaction rolled back.
"""

from __future__ import annotations

import asyncio

import msgspec

from fablab.domain import codes

RETRY_AFTER_S = 5
_BODY = msgspec.json.encode({
    "type": "about:blank", "title": "Service temporarily unavailable", "status": 503,
    "detail": "The server is restarting; try again in a moment.", "code": codes.SERVICE_UNAVAILABLE,
})
_START = {
    "type": "http.response.start", "status": 503,
    "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(_BODY)).encode()),
                (b"retry-after", str(RETRY_AFTER_S).encode()), (b"connection", b"close")],
}


def _forget(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: a cancelled request's error is no news


def answer_cancelled(app):
    """Wrap an ASGI app so that an HTTP request cancelled before its answer gets a 503."""

    async def wrapped(scope, receive, send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        state = {"started": False, "answered": False}

        async def tracked_send(message) -> None:
            if state["answered"]:
                return  # the client already has its 503
            state["started"] = True
            await send(message)

        request = asyncio.ensure_future(app(scope, receive, tracked_send))
        try:
            await asyncio.shield(request)
        except asyncio.CancelledError:
            if state["started"] or request.done():
                raise
            state["answered"] = True
            request.add_done_callback(_forget)
            request.cancel()
            await send(_START)
            await send({"type": "http.response.body", "body": _BODY})

    return wrapped
