"""Push writes: subscribe and unsubscribe a phone, deliver planned reminders once per device."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

import asyncpg
from cryptography.hazmat.primitives.asymmetric import ec

from fablab.domain import clock, codes
from fablab.platform import db
from fablab.accounts.current import CurrentUser
from fablab.platform.db import DB
from fablab.domain.errors import Conflict, InvalidInput
from fablab.push import backoff, queries, transport
from fablab.push.endpoints import EndpointNotAllowed, check_endpoint
from fablab.push.payload import Notification, notification_for, test_notification
from fablab.push.settings import PushSettings, push_settings
from fablab.domain.reminder_types import Reminder

log = logging.getLogger("fablab.push")

GONE = (404, 410)


def check_keys(p256dh: str, auth: str) -> None:
    """The browser's keys: a point on P-256 and a 16-byte secret (RFC 8291 §3)."""
    try:
        point, secret = transport.b64url_decode(p256dh), transport.b64url_decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise InvalidInput("keys.p256dh must be a P-256 public key and keys.auth 16 bytes, in base64url.",
                           code=codes.INVALID_PUSH_KEYS) from None
    if len(point) != 65 or len(secret) != 16:
        raise InvalidInput("keys.p256dh must be a P-256 public key and keys.auth 16 bytes, in base64url.",
                           code=codes.INVALID_PUSH_KEYS)


async def subscribe(*, actor: CurrentUser, endpoint: str, p256dh: str, auth: str, lang: str,
                    settings: PushSettings | None = None) -> dict:
    settings = settings or push_settings()
    try:
        check_endpoint(endpoint, settings.allowed_prefixes)
    except EndpointNotAllowed as error:
        raise InvalidInput(str(error), code=codes.PUSH_ENDPOINT_NOT_ALLOWED) from None
    check_keys(p256dh, auth)
    async with DB.transaction():
        row = await db.fetchone(queries.UPSERT_SUBSCRIPTION, actor.id, actor.session_id, endpoint, p256dh, auth, lang)
        await db.fetch(queries.TRIM_SUBSCRIPTIONS, actor.id, queries.MAX_PER_USER)
    return {**row, "this_device": True}


async def unsubscribe(*, actor: CurrentUser, endpoint: str) -> bool:
    return bool(await db.fetch(queries.DELETE_SUBSCRIPTION, actor.id, endpoint))


async def subscriptions(*, actor: CurrentUser) -> list[dict]:
    rows = await db.fetch(queries.SUBSCRIPTIONS_OF_USER, actor.id)
    return [{"endpoint": r["endpoint"], "lang": r["lang"], "created_at": r["created_at"],
             "this_device": r["session_id"] == actor.session_id} for r in rows]


def endpoint_allowed(endpoint: str, settings: PushSettings) -> bool:
    """Checked again before each post: a test prefix removed from the settings stops its endpoints."""
    try:
        check_endpoint(endpoint, settings.allowed_prefixes)
    except EndpointNotAllowed:
        return False
    return True


def target_of(row: dict) -> transport.PushTarget:
    return transport.PushTarget(endpoint=row["endpoint"], p256dh=row["p256dh"], auth=row["auth"])


async def send_test(*, actor: CurrentUser, settings: PushSettings | None = None) -> dict:
    """"Send me a test": to every phone of the caller, at once, outside any transaction."""
    settings = settings or push_settings()
    rows = await db.fetch(queries.SUBSCRIPTIONS_OF_USER, actor.id)
    if not rows:
        raise Conflict("No phone of yours receives notifications yet.", code=codes.PUSH_NOT_SUBSCRIBED)
    counts = {"sent": 0, "removed": 0, "failed": 0}
    async with transport.new_client() as client:
        for row in rows:
            if not endpoint_allowed(row["endpoint"], settings):
                counts["failed"] += 1
                continue
            result = await transport.post(client, settings, target_of(row), test_notification(row["lang"]))
            if result.status is not None and 200 <= result.status < 300:
                counts["sent"] += 1
            elif result.status in GONE:
                await db.fetch(queries.DELETE_GONE, row["id"])
                counts["removed"] += 1
            else:
                log.warning("test push to subscription %s not accepted: %s", row["id"], result.error)
                counts["failed"] += 1
    return counts


async def deliver_one(client, settings: PushSettings, reminder: Reminder, subscription: dict, now: datetime) -> str:
    """"sent", "skipped" (claimed already: sent, in flight, or backing off), "removed" (the push
    service forgot the phone), "retry" (429, 5xx, no answer) or "failed" (refused for good)."""
    subject, kind, recipient_id = reminder.key
    try:
        claim = await db.fetchone(queries.CLAIM, subject, kind, recipient_id, subscription["id"], now,
                                  reminder.booking_id)
    except asyncpg.ForeignKeyViolationError:  # the subscription was deleted meanwhile
        return "skipped"
    if claim is None:
        return "skipped"
    if not endpoint_allowed(subscription["endpoint"], settings):
        await db.fetch(queries.MARK_FAILED, claim["id"], "endpoint no longer allowed")
        return "failed"
    notification: Notification = notification_for(reminder, subscription["lang"], now)
    result = await transport.post(client, settings, target_of(subscription), notification)
    if result.status is not None and 200 <= result.status < 300:
        await db.fetch(queries.MARK_SENT, claim["id"], clock.now())
        return "sent"
    if result.status in GONE:
        await db.fetch(queries.DELETE_GONE, subscription["id"])
        return "removed"
    retryable = result.status is None or result.status == 429 or result.status >= 500
    later = backoff.next_try(claim["attempts"], now, result.retry_after) if retryable else None
    if later is not None:
        await db.fetch(queries.MARK_RETRY, claim["id"], later, result.error)
        return "retry"
    log.warning("push %s/%s/%s to subscription %s given up: %s", subject, kind, recipient_id,
                subscription["id"], result.error)
    await db.fetch(queries.MARK_FAILED, claim["id"], result.error)
    return "failed"


async def deliver_due(due: list[Reminder], now: datetime | None = None,
                      settings: PushSettings | None = None) -> dict[str, int]:
    """The push channel of the reminders job: every due reminder to each phone of its recipient."""
    now = now or clock.now()
    counts = {"sent": 0, "skipped": 0, "removed": 0, "retry": 0, "failed": 0}
    await db.fetch(queries.PURGE_DELIVERIES, now, queries.KEEP_DELIVERIES_DAYS)
    # Push reaches accounts only, and words a booking's reminders (fablab/push/payload.py): a guardian's
    # e-mail about a consent has no phone to go to.
    due = [reminder for reminder in due if reminder.recipient.id is not None and reminder.booking_id is not None]
    if not due:
        return counts
    rows = await db.fetch(queries.SUBSCRIPTIONS_OF_USERS, sorted({r.recipient.id for r in due}))
    if not rows:
        return counts
    settings = settings or push_settings()
    phones: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        phones[row["user_id"]].append(row)
    async with transport.new_client() as client:
        for reminder in due:
            for subscription in phones.get(reminder.recipient.id, []):
                counts[await deliver_one(client, settings, reminder, subscription, now)] += 1
    if any(counts[k] for k in ("sent", "removed", "retry", "failed")):
        log.info("push: %(sent)d sent, %(retry)d to retry, %(removed)d phones gone, %(failed)d failed", counts)
    return counts
