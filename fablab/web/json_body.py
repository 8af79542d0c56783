"""JSON bodies nested deeper than any of ours are refused before they are decoded.

The decoder recurses once per level: 100,000 nested arrays raised a RecursionError (a 500), and
a few thousand still cost stack and time in every layer that walks the result. Our deepest body
(opening hours: object, list, list, text) has four levels; user-made `details` get room to spare.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.types import Empty

from fablab.domain import codes
from fablab.domain.errors import InvalidInput

MAX_DEPTH = 32

_OPEN_AS_SQUARE = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


def nesting_exceeds(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects deeper than `limit`, balanced or not.

    Linear in C-speed passes (no Python loop over the bytes), so a 6 MB body stays cheap: brackets
    inside strings are dropped, then empty pairs are removed one level per pass. The decoder
    recurses before it finds out that brackets are unbalanced (999 `[` and nothing else made a
    500), so what no pass can remove counts too: after `passes` passes the text is `]]..[[`, and
    the decoder may go as deep as its unclosed `[` plus the `passes` levels removed inside them."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    # Escapes first, so that the quotes left delimit strings; every other segment is inside one.
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(unescaped.split(b'"')[0::2])
    brackets = outside.translate(_OPEN_AS_SQUARE, _NOT_BRACKETS)
    for passes in range(limit):
        shorter = brackets.replace(b"[]", b"")
        if not shorter:
            return False
        if len(shorter) == len(brackets):
            return shorter.count(b"[") + passes > limit
        brackets = shorter
    return True


class JSONTooDeep(InvalidInput):
    code, title = codes.JSON_TOO_DEEP, "JSON nested too deeply"


class CheckedRequest(Request):
    """The app's request class: the one path every JSON body takes to the handlers."""

    async def json(self) -> Any:
        if self._json is Empty and self._connection_state.json is Empty:
            if nesting_exceeds(await self.body()):
                raise JSONTooDeep(f"The JSON body nests more than {MAX_DEPTH} levels of arrays or objects.")
        return await super().json()
