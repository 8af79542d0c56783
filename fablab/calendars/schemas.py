"""Shapes of the feed-link endpoints."""

from __future__ import annotations

from datetime import datetime

import msgspec


class FeedLinkOut(msgspec.Struct):
    https: str
    webcal: str


class PublicFeedOut(msgspec.Struct):
    site: str
    kind: str | None
    name: str
    https: str
    webcal: str


class PrivateFeedOut(msgspec.Struct):
    active: bool
    created_at: datetime | None = None
    site: str | None = None


class FeedsOut(msgspec.Struct):
    public: list[PublicFeedOut]
    personal: PrivateFeedOut
    staff: PrivateFeedOut | None
