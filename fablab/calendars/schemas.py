"""Shapes of the feed-link endpoints."""

from __future__ import annotations

from datetime import datetime

import msgspec


class FeedLinkOut(msgspec.Struct):
    https: str
    webcal: str
    # Google Calendar subscribes from its own page, given the https address.
    google: str


class PublicFeedOut(msgspec.Struct):
    site: str
    kind: str | None
    name: str
    https: str
    webcal: str
    google: str


class PrivateFeedOut(msgspec.Struct):
    active: bool
    created_at: datetime | None = None
    site: str | None = None
    # The live link, shown again at any time; null when it predates links the server can show
    # again (it still works; a new one can be shown from then on).
    https: str | None = None
    webcal: str | None = None
    google: str | None = None


class FeedsOut(msgspec.Struct):
    public: list[PublicFeedOut]
    personal: PrivateFeedOut
    staff: PrivateFeedOut | None
