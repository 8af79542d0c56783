"""uvicorn's HTTP protocol with bounds on request heads and bodies, against clients that send
nothing, too much, or too slowly.

uvicorn limits how long an idle keep-alive connection stays open (timeout_keep_alive) and how many
connections and requests a worker holds (limit_concurrency), but not how long a client may take to
send its request headers: a connection that sends nothing, or drips a header a minute (slowloris),
stays open for ever. Here every connection must complete its request line and headers within
HEADER_TIMEOUT_S of opening, or of the previous response; a request that is being answered (a slow
report) is never cut. nginx does the same in production (deploy/nginx.conf, client_header_timeout).

Two more bounds for the server run without nginx in front (issue 26 §4). httptools keeps a head
in memory until its last line, whatever its size: 50 unfinished 8 MB heads held 407 MiB. A head
over MAX_HEAD_BYTES gets 431 and the connection is closed. And a body must arrive whole within
BODY_TIMEOUT_S of its head (nginx's client_body_timeout only bounds the gap between two reads), or
the request gets 408 and the connection is closed: a body dripped a byte at a time held a
connection and its handler for ever.
"""

from __future__ import annotations

import asyncio
import json
import os

from uvicorn.protocols.http.h11_impl import H11Protocol

from fablab.platform.settings import SettingsError

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools comes with uvicorn[standard]
    HttpToolsProtocol = None

from fablab.domain import codes

DEFAULT_HEADER_TIMEOUT_S = 10.0
# A 6 MB upload (the largest body, settings.max_body_bytes) at 100 kB/s, a slow 3G phone.
DEFAULT_BODY_TIMEOUT_S = 60.0
# Request line and headers: ours are under 4 KiB (a session cookie, a CSRF token); nginx's default
# buffers take 32 KiB.
MAX_HEAD_BYTES = 64 * 1024


def _seconds(name: str, default: float, highest: float, environ) -> float:
    raw = environ.get(name) or ""
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 1 <= value <= highest:
        raise SettingsError(f"{name} must be a number of seconds from 1 to {highest:.0f}, got {raw!r}")
    return value


def header_timeout(environ=os.environ) -> float:
    """Seconds a client has to send a whole request head (FABLAB_HEADER_TIMEOUT_S, 1 to 600)."""
    return _seconds("FABLAB_HEADER_TIMEOUT_S", DEFAULT_HEADER_TIMEOUT_S, 600, environ)


def body_timeout(environ=os.environ) -> float:
    """Seconds a client has to send a whole request body after its head (FABLAB_BODY_TIMEOUT_S, 1 to 3600)."""
    return _seconds("FABLAB_BODY_TIMEOUT_S", DEFAULT_BODY_TIMEOUT_S, 3600, environ)


try:
    HEADER_TIMEOUT_S, BODY_TIMEOUT_S = header_timeout(), body_timeout()
except SettingsError:  # `fablab serve` refuses such a value before any worker starts
    HEADER_TIMEOUT_S, BODY_TIMEOUT_S = DEFAULT_HEADER_TIMEOUT_S, DEFAULT_BODY_TIMEOUT_S
# Connections plus running requests per worker beyond which uvicorn answers 503 at once; under the
# usual 1024 open files per process, with room for the database pool.
LIMIT_CONCURRENCY = 512



def raw_problem(status: int, reason: str, code: str, detail: str) -> bytes:
    """A whole HTTP response with a problem body, written by the protocol itself (no app behind it)."""
    body = json.dumps({"type": "about:blank", "title": reason, "status": status, "detail": detail,
                       "code": code}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/problem+json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n")
    return head.encode() + body


_TIMEOUT_RESPONSE = raw_problem(408, "Request Timeout", codes.REQUEST_TIMEOUT, "The request did not arrive in time.")
_HEAD_TOO_LARGE_RESPONSE = raw_problem(431, "Request Header Fields Too Large", codes.HEADERS_TOO_LARGE,
                                       f"The request line and headers must hold at most {MAX_HEAD_BYTES} bytes.")


class HeaderDeadline:
    """Mixin for uvicorn's protocols: close a connection whose request head is late."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_deadline()

    def connection_lost(self, exc) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        if not self.transport.is_closing():
            self._header_timer = self.loop.call_later(HEADER_TIMEOUT_S, self._header_deadline_passed)

    def _cancel_header_deadline(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_deadline_passed(self) -> None:
        self._header_timer = None
        # A request whose head arrived is being answered (or queued): that is not a slow client.
        if self.cycle is not None and not self.cycle.response_complete:
            return
        if not self.transport.is_closing():
            self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()


class BodyDeadline:
    """Mixin for uvicorn's protocols: close a connection whose request body is late (408)."""

    _body_timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        cycle = self.cycle
        # The head has just come in (a new cycle) and a body is still to come: its clock starts.
        if cycle is not None and cycle is not getattr(self, "_body_cycle", None) and not self.transport.is_closing():
            self._cancel_body_deadline()
            self._body_cycle = cycle
            if cycle.more_body:
                self._body_timer = self.loop.call_later(BODY_TIMEOUT_S, self._body_deadline_passed, cycle)

    def connection_lost(self, exc) -> None:
        self._cancel_body_deadline()
        super().connection_lost(exc)

    def _cancel_body_deadline(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _body_deadline_passed(self, cycle) -> None:
        self._body_timer = None
        if cycle is not self.cycle or not cycle.more_body or self.transport.is_closing():
            return  # the body came whole: the request is being answered
        if not cycle.response_started:
            self.transport.write(_TIMEOUT_RESPONSE)
        self.transport.close()  # the handler waiting for the body is told the client left


class HeadSizeLimit:
    """Mixin for uvicorn's httptools protocol: 431 for a request head over MAX_HEAD_BYTES. (h11 has
    its own bound, h11_max_incomplete_event_size, given the same value by `fablab serve`.)"""

    _in_head = False
    _head_bytes = 0
    _head_began_here = False

    def data_received(self, data: bytes) -> None:
        self._head_began_here = False
        super().data_received(data)
        # The bytes of the read in which the head began are not counted (at most one read, 256 KiB):
        # they may end a previous request. Every later read while the head is open is.
        if self._in_head and not self._head_began_here and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._in_head = False
                self.transport.write(_HEAD_TOO_LARGE_RESPONSE)
                self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes, self._head_began_here = True, 0, True

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()


class PatientH11Protocol(HeaderDeadline, BodyDeadline, H11Protocol):
    pass


if HttpToolsProtocol is not None:
    class PatientHttpToolsProtocol(HeaderDeadline, BodyDeadline, HeadSizeLimit, HttpToolsProtocol):
        pass

    PROTOCOL = "fablab.platform.server_protocol:PatientHttpToolsProtocol"
else:  # pragma: no cover
    PROTOCOL = "fablab.platform.server_protocol:PatientH11Protocol"
