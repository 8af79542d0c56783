"""Asset tags, the one namespace of labels items and parts share: normalising, generating
`{SITE}-{KIND}-{NNN}`, reading them back from scans, and claiming one (a QR tag names one thing at most)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from fablab.domain import codes
from fablab.platform import db
from fablab.domain.errors import Conflict, InvalidInput
from fablab.domain.vocabulary import KIND_TAG_PREFIX

# Same shape as the CHECK on resource.tag, so a bad tag is refused with a clear 422, not a 500.
TAG_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")


def normalise_tag(raw: str) -> str:
    """Upper-case and trimmed; labels are read by people, so case never matters."""
    tag = (raw or "").strip().upper()
    if not TAG_PATTERN.match(tag):
        raise InvalidInput(
            f"{raw!r} is not a valid tag: letters, digits and dashes, 40 at most.", code=codes.INVALID_TAG,
        )
    return tag


def looks_like_tag(raw: str) -> bool:
    return bool(TAG_PATTERN.match((raw or "").strip().upper()))


def tag_prefix(site_slug: str, kind: str) -> str:
    return f"{site_slug.upper()}-{KIND_TAG_PREFIX[kind]}-"


def next_tag(site_slug: str, kind: str, existing: list[str]) -> str:
    """The tag after the highest number already used with this prefix (numbers are never reused)."""
    prefix = tag_prefix(site_slug, kind)
    numbers = [
        int(tag[len(prefix):]) for tag in existing
        if tag.upper().startswith(prefix) and tag[len(prefix):].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def tag_url(base_url: str, tag: str) -> str:
    """What the QR code on the label encodes (docs/ARCHITECTURE.md, The QR flow)."""
    return f"{base_url.rstrip('/')}/t/{tag.upper()}"


def tag_from_scanned_text(text: str) -> str | None:
    """The tag in a scanned text: a `/t/{TAG}` URL (from any host: labels outlive domain moves) or a bare tag."""
    text = (text or "").strip()
    if "://" in text:
        path = urlsplit(text).path
        match = re.search(r"/t/([^/?#]+)/?$", path)
        if not match:
            return None
        candidate = unquote(match.group(1))
        return candidate.upper() if looks_like_tag(candidate) else None
    return text.upper() if looks_like_tag(text) else None


# Raw: upper(tag) is what the unique indexes resource_tag_ci and part_tag_ci serve; `tag` is already
# normalised. Items and parts share the labels' namespace (a part's tag never names an item).
TAG_TAKEN = """
SELECT 1 FROM resource WHERE upper(tag) = $1
UNION ALL SELECT 1 FROM part WHERE upper(tag) = $1 AND removed_at IS NULL LIMIT 1
"""
# Raw: an advisory lock, held to the commit, serialising the writers of one tag (items and parts).
TAG_LOCK = "SELECT pg_advisory_xact_lock(hashtext($1))"


async def claim_tag(tag: str) -> None:
    """Within the caller's transaction: `tag` (normalised) names no item and no part, and nobody else
    may take it before the commit. Items and parts share one namespace of labels, which no single
    unique index can guard, so one advisory lock per tag serialises whoever writes it."""
    await db.fetch(TAG_LOCK, f"fablab:tag:{tag}")
    if await db.fetchval(TAG_TAKEN, tag):
        raise Conflict(f"Tag {tag} is already used by another item or part.", code=codes.TAG_TAKEN)
