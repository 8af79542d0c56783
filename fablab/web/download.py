"""Content-Disposition for downloads whose names carry user data (a site slug, a login)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote


def attachment(filename: str, *, inline: bool = False) -> dict[str, str]:
    """The header for a file download: an ASCII `filename` every client reads (HTTP headers are
    Latin-1 at best, so a name like "rapport-Saint-Denis-été" would break the response), and the
    exact name as RFC 6266 `filename*` for the browsers that read it."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r'[^A-Za-z0-9._-]+', "-", ascii_name).strip("-") or "download"
    disposition = "inline" if inline else "attachment"
    value = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return {"content-disposition": value}
