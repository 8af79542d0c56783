"""uvicorn's HTTP protocol with a deadline for request headers, against clients that send nothing.

uvicorn limits how long an idle keep-alive connection stays open (timeout_keep_alive) and how many
connections and requests a worker holds (limit_concurrency), but not how long a client may take to
send its request headers: a connection that sends nothing, or drips a header a minute (slowloris),
stays open for ever. Here every connection must complete its request line and headers within
HEADER_TIMEOUT_S of opening, or of the previous response; a request that is being answered (a slow
report) is never cut. nginx does the same in production (deploy/nginx.conf, client_header_timeout).
"""

from __future__ import annotations

import asyncio
import os

from uvicorn.protocols.http.h11_impl import H11Protocol

from fablab.settings import SettingsError

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools comes with uvicorn[standard]
    HttpToolsProtocol = None

DEFAULT_HEADER_TIMEOUT_S = 10.0


def header_timeout(environ=os.environ) -> float:
    """Seconds a client has to send a whole request head (FABLAB_HEADER_TIMEOUT_S, 1 to 600)."""
    raw = environ.get("FABLAB_HEADER_TIMEOUT_S") or ""
    if not raw:
        return DEFAULT_HEADER_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 1 <= value <= 600:
        raise SettingsError(f"FABLAB_HEADER_TIMEOUT_S must be a number of seconds from 1 to 600, got {raw!r}")
    return value


try:
    HEADER_TIMEOUT_S = header_timeout()
except SettingsError:  # `fablab serve` refuses such a value before any worker starts
    HEADER_TIMEOUT_S = DEFAULT_HEADER_TIMEOUT_S
# Connections plus running requests per worker beyond which uvicorn answers 503 at once; under the
# usual 1024 open files per process, with room for the database pool.
LIMIT_CONCURRENCY = 512

_TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


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


class PatientH11Protocol(HeaderDeadline, H11Protocol):
    pass


if HttpToolsProtocol is not None:
    class PatientHttpToolsProtocol(HeaderDeadline, HttpToolsProtocol):
        pass

    PROTOCOL = "fablab.server_protocol:PatientHttpToolsProtocol"
else:  # pragma: no cover
    PROTOCOL = "fablab.server_protocol:PatientH11Protocol"
