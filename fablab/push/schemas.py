"""Request and response bodies of the push API (unknown fields refused, like every input)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from fablab.domain.vocabulary import Language

Endpoint = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
# A P-256 point is 87 base64url characters, an auth secret 22; a little room for padding.
KeyText = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class PushKeyOut(msgspec.Struct):
    public_key: str  # the applicationServerKey for PushManager.subscribe


class PushKeysIn(msgspec.Struct, forbid_unknown_fields=True):
    p256dh: KeyText
    auth: KeyText


class PushSubscriptionIn(msgspec.Struct, forbid_unknown_fields=True):
    """What PushSubscription.toJSON() gives, plus the language its notifications are written in."""

    endpoint: Endpoint
    keys: PushKeysIn
    expirationTime: int | float | None = None  # noqa: N815 (the browser's own field name; ignored)
    lang: Language = "fr"


class PushSubscriptionOut(msgspec.Struct):
    endpoint: str
    lang: str
    created_at: datetime
    this_device: bool  # made while signed in with the session of this request


class PushTestOut(msgspec.Struct):
    sent: int     # accepted by the push service
    removed: int  # the push service said the subscription is gone: deleted here
    failed: int   # refused or unreachable this time
