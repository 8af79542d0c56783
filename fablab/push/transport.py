"""One Web Push request: the payload encrypted to the subscription (RFC 8291, aes128gcm, by
http_ece), signed for its push service (RFC 8292 VAPID, by py_vapid), posted with httpx."""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import http_ece
import httpx
from cryptography.hazmat.primitives.asymmetric import ec

from fablab.push.payload import Notification
from fablab.push.settings import PushSettings

TIMEOUT_S = 10
# RFC 8292 §2: a token valid at most 24 hours; 12 leaves room for clock skew at the service.
TOKEN_LIFETIME_S = 12 * 3600


@dataclass(frozen=True)
class PushTarget:
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushResult:
    status: int | None          # None: no answer (network error, timeout)
    retry_after: str | None = None
    error: str | None = None


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encrypt(body: bytes, target: PushTarget) -> bytes:
    """RFC 8291: ECDH with a fresh key pair per message, the subscription's auth secret, aes128gcm."""
    return http_ece.encrypt(
        body, salt=os.urandom(16), private_key=ec.generate_private_key(ec.SECP256R1()),
        dh=b64url_decode(target.p256dh), auth_secret=b64url_decode(target.auth), version="aes128gcm",
    )


def vapid_headers(settings: PushSettings, endpoint: str, now_s: float | None = None) -> dict[str, str]:
    parts = urlsplit(endpoint)
    claims = {"aud": f"{parts.scheme}://{parts.netloc}", "sub": settings.subject,
              "exp": int((now_s or time.time()) + TOKEN_LIFETIME_S)}
    return settings.vapid.sign(claims)


def request_for(settings: PushSettings, target: PushTarget, notification: Notification) -> tuple[dict, bytes]:
    headers = {
        **vapid_headers(settings, target.endpoint),
        "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream",
        "TTL": str(notification.ttl_seconds), "Urgency": notification.urgency, "Topic": notification.topic,
    }
    return headers, encrypt(notification.payload(), target)


async def post(client: httpx.AsyncClient, settings: PushSettings, target: PushTarget,
               notification: Notification) -> PushResult:
    """Posts once; never follows a redirect (the endpoint was checked, a Location header was not)."""
    headers, body = request_for(settings, target, notification)
    try:
        response = await client.post(target.endpoint, content=body, headers=headers, timeout=TIMEOUT_S,
                                     follow_redirects=False)
    except (httpx.HTTPError, OSError) as error:
        return PushResult(None, error=type(error).__name__)
    error = None if response.is_success else f"HTTP {response.status_code}"
    return PushResult(response.status_code, response.headers.get("retry-after"), error)


def new_client() -> httpx.AsyncClient:
    # No environment proxies: push goes straight to the push service.
    return httpx.AsyncClient(trust_env=False, follow_redirects=False, timeout=TIMEOUT_S)
