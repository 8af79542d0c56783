"""Web Push (issue 20) against a stand-in push service on loopback that checks VAPID and decrypts
aes128gcm with each phone's own key: every event arrives once per phone, in the phone's language;
410 forgets the phone, 503 is tried again later and delivered once; only push services are called."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fablab.platform import db
from fablab.push import backoff, payload, service
from fablab.push.endpoints import EndpointNotAllowed, check_endpoint
from fablab.push.settings import forget_push_settings, load_push_settings, push_settings
from fablab.reports import reminders
from fablab.domain.reminder_types import Recipient, Reminder
from fablab.platform.settings import SettingsError
from tests.support.paths import ROOT
from tests.support.push_service import PushService

PARIS = ZoneInfo("Europe/Paris")
# Wednesday 25 November 2026, 13:30 in Villeneuve (UTC+1).
NOW = datetime(2026, 11, 25, 13, 30, tzinfo=PARIS)
OFFER_TITLE = "Une place s'est libérée : elle est à vous"


def paris(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def push_env(monkeypatch, tmp_path):
    """A key pair made in a fresh data dir, and loopback endpoints allowed (as tests only may)."""
    monkeypatch.setenv("FABLAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FABLAB_VAPID_PRIVATE_KEY", raising=False)
    monkeypatch.setenv("FABLAB_PUSH_ALLOWED_ENDPOINTS", "http://127.0.0.1:")
    forget_push_settings()
    yield push_settings()
    forget_push_settings()


@pytest.fixture
def push_service(push_env):
    with PushService(push_env.public_key) as stand_in:
        yield stand_in


async def subscribe(client, subscription: dict, lang: str = "fr"):
    return await client.post("/api/me/push-subscriptions", json={**subscription, "lang": lang})


async def add_booking(tag: str, login: str, starts_at: datetime, ends_at: datetime, status: str = "confirmed", *,
                      created_at: datetime, checked_out_at: datetime | None = None) -> int:
    return await db.fetchval(
        "INSERT INTO booking (resource_id, site_id, kind, user_id, created_by_id, starts_at, ends_at, blocked_until, "
        "status, created_at, checked_out_at) "
        "SELECT r.id, r.site_id, r.kind, u.id, u.id, $3::timestamptz, $4::timestamptz, $4::timestamptz, $5::text, "
        "$6::timestamptz, $7::timestamptz FROM resource r, app_user u WHERE r.tag = $1 AND u.login = $2 RETURNING id",
        tag, login, starts_at, ends_at, status, created_at, checked_out_at)


async def waitlist_gave(booking_id: int, resolved_at: datetime) -> None:
    """The waitlist booked `booking_id` for its learner at `resolved_at` (as offer_freed records it)."""
    await db.fetch(
        "INSERT INTO waitlist_entry (user_id, site_id, kind, resource_id, day, starts_at, ends_at, status, booking_id, "
        "resolved_at) SELECT b.user_id, b.site_id, b.kind, b.resource_id, (b.starts_at AT TIME ZONE 'Europe/Paris')::date, "
        "b.starts_at, b.ends_at, 'booked', b.id, $2 FROM booking b WHERE b.id = $1", booking_id, resolved_at)


@pytest.fixture
async def offer_and_reminder(demo):
    """At NOW, learner1 (no e-mail: push is their only channel) has two things due: the waitlist just
    gave them a 3D printer at 16:00, and their room booking starts at 14:00."""
    yesterday = paris(9, day=24)
    offer = await add_booking("VLG-P3D-001", "learner1", paris(16), paris(17), created_at=paris(13, 20))
    await waitlist_gave(offer, paris(13, 20))
    start = await add_booking("VLG-ROOM-001", "learner1", paris(14), paris(15), created_at=yesterday)
    return {"waitlist_booked": offer, "booking_start": start}


# ---------------------------------------------------------------------------------------------
# Only real push services


@pytest.mark.parametrize("endpoint", [
    "http://10.0.0.1/x", "https://example.com/", "http://fcm.googleapis.com/fcm/send/x",
    "https://fcm.googleapis.com@10.0.0.1/x", "https://fcm.googleapis.com:8443/x", "https://notify.windows.com/x",
    "https://evil-fcm.googleapis.com.example.com/x", "https://127.0.0.1/x", "ftp://fcm.googleapis.com/x",
    "https://fcm.googleapis.com/x y", "https://fcm.googleapis.com/" + "a" * 1100,
])
async def test_a_subscription_to_anything_but_a_push_service_is_refused(learner, push_env, endpoint):
    phone_keys = {"p256dh": "BAz4TzpW_oSsC-YvC9DG5fKdDG970p53wCTtyugG3wJy4xkcPeKmHGEBjgm0h2_pH--xolckrzigTfklmZcr8yg",
                  "auth": "AAAAAAAAAAAAAAAAAAAAAA"}
    response = await subscribe(learner, {"endpoint": endpoint, "keys": phone_keys})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] in ("push_endpoint_not_allowed", "invalid_input")
    assert await db.fetchval("SELECT count(*) FROM push_subscription") == 0


def test_the_allow_list_knows_the_four_push_services_and_nothing_else():
    for endpoint in ["https://fcm.googleapis.com/fcm/send/abc", "https://updates.push.services.mozilla.com/wpush/v2/x",
                     "https://web.push.apple.com/QGx", "https://wns2-par02p.notify.windows.com/w/?token=x"]:
        assert check_endpoint(endpoint) == endpoint
    for endpoint in ["http://10.0.0.1/x", "https://example.com/", "http://127.0.0.1:9/x"]:
        with pytest.raises(EndpointNotAllowed):
            check_endpoint(endpoint)
    # The test prefix widens the list, but never lets credentials re-aim the request.
    assert check_endpoint("http://127.0.0.1:9/x", ("http://127.0.0.1:",))
    with pytest.raises(EndpointNotAllowed):
        check_endpoint("http://127.0.0.1:@10.0.0.1/x", ("http://127.0.0.1:",))


async def test_keys_that_are_not_a_browsers_are_refused(learner, push_service):
    _, subscription = push_service.phone("a")
    for keys in [{"p256dh": "not-a-key", "auth": subscription["keys"]["auth"]},
                 {"p256dh": subscription["keys"]["p256dh"], "auth": "c2hvcnQ"},
                 {"p256dh": "B" + "A" * 86, "auth": subscription["keys"]["auth"]}]:
        response = await subscribe(learner, {**subscription, "keys": keys})
        assert response.status_code == 400 and response.json()["code"] == "invalid_push_keys", response.text
    response = await learner.post("/api/me/push-subscriptions", json={**subscription, "owner": 3})
    assert response.status_code == 400


# ---------------------------------------------------------------------------------------------
# The key, subscribing, unsubscribing, signing out


async def test_the_key_is_made_once_in_the_data_dir_and_served(anon, push_env, tmp_path):
    response = await anon.get("/api/push/key")
    assert response.status_code == 200
    key = response.json()["public_key"]
    assert key == push_env.public_key and len(key) == 87 and key.startswith("B")
    assert (tmp_path / "vapid_private.pem").stat().st_mode & 0o077 == 0
    forget_push_settings()
    assert push_settings().public_key == key  # read back, not made again


def test_workers_starting_at_once_agree_on_one_key(tmp_path):
    keys, barrier = [], threading.Barrier(4)

    def start():
        barrier.wait()
        keys.append(load_push_settings({"FABLAB_DATA_DIR": str(tmp_path)}).public_key)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and len(keys) == 4
    assert [p.name for p in tmp_path.iterdir()] == ["vapid_private.pem"]


def test_settings_are_checked():
    from py_vapid import Vapid02

    key = Vapid02()
    key.generate_keys()
    given = load_push_settings({"FABLAB_VAPID_PRIVATE_KEY": key.private_pem().decode(),
                                "FABLAB_VAPID_SUBJECT": "mailto:fablab@example.org"})
    assert given.subject == "mailto:fablab@example.org"
    for environ in [{"FABLAB_VAPID_PRIVATE_KEY": "nonsense"}, {"FABLAB_VAPID_SUBJECT": "fablab@example.org"},
                    {"FABLAB_PUSH_ALLOWED_ENDPOINTS": "127.0.0.1"}]:
        with pytest.raises(SettingsError):
            load_push_settings({"FABLAB_VAPID_PRIVATE_KEY": key.private_pem().decode(), **environ})


async def test_several_phones_subscribe_and_one_unsubscribes(learner, push_service):
    _, first = push_service.phone("first")
    _, second = push_service.phone("second")
    assert (await subscribe(learner, first)).status_code == 201
    again = await subscribe(learner, first, lang="en")  # the same phone again: updated, not doubled
    assert again.status_code == 201 and again.json()["lang"] == "en"
    assert (await subscribe(learner, second)).status_code == 201
    mine = (await learner.get("/api/me/push-subscriptions")).json()
    assert sorted(m["endpoint"] for m in mine) == sorted([first["endpoint"], second["endpoint"]])
    response = await learner.delete("/api/me/push-subscriptions", params={"endpoint": first["endpoint"]})
    assert response.status_code == 204
    again = await learner.delete("/api/me/push-subscriptions", params={"endpoint": first["endpoint"]})
    assert again.status_code == 404 and again.json()["code"] == "unknown_push_subscription"
    assert [m["endpoint"] for m in (await learner.get("/api/me/push-subscriptions")).json()] == [second["endpoint"]]


async def test_nobody_else_can_remove_my_phone(learner, other_learner, push_service):
    _, phone = push_service.phone("mine")
    await subscribe(learner, phone)
    response = await other_learner.delete("/api/me/push-subscriptions", params={"endpoint": phone["endpoint"]})
    assert response.status_code == 404
    assert await db.fetchval("SELECT count(*) FROM push_subscription") == 1


async def test_signing_out_on_a_phone_stops_its_notifications_only(app, learner, push_service):
    from tests.support.clients import make_client, sign_in

    _, this_phone = push_service.phone("this")
    await subscribe(learner, this_phone)
    async with make_client(app) as other_client:
        await sign_in(other_client, "learner1")
        _, other_phone = push_service.phone("other")
        await subscribe(other_client, other_phone)
    assert (await learner.post("/api/auth/logout")).status_code == 204
    left = await db.fetch("SELECT endpoint FROM push_subscription")
    assert [row["endpoint"] for row in left] == [other_phone["endpoint"]]


async def test_signing_out_everywhere_stops_every_phone(staff, learner, push_service):
    _, phone = push_service.phone("a")
    await subscribe(learner, phone)
    learner_id = await db.fetchval("SELECT id FROM app_user WHERE login = 'learner1'")
    assert (await staff.post(f"/api/users/{learner_id}/deactivate")).status_code in (200, 204)
    assert await db.fetchval("SELECT count(*) FROM push_subscription") == 0


# ---------------------------------------------------------------------------------------------
# Delivery


async def test_a_waitlist_offer_and_a_reminder_each_arrive_once_decrypted_in_french(
        learner, push_service, offer_and_reminder):
    phone, subscription = push_service.phone("fr")
    await subscribe(learner, subscription)
    first = await reminders.run_reminder_channels(NOW)
    again = await reminders.run_reminder_channels(NOW + timedelta(minutes=1))
    assert push_service.problems == []
    assert first["email"] is None  # no SMTP: push alone
    assert first["push"]["sent"] == 2 and again["push"]["sent"] == 0 and again["push"]["skipped"] == 2
    got = {m["tag"]: m for m in push_service.delivered_to(phone.path)}
    assert len(push_service.delivered_to(phone.path)) == 2
    offer = got[f"fablab-{offer_and_reminder['waitlist_booked']}-waitlist_booked"]
    assert offer["title"] == OFFER_TITLE
    assert offer["body"] == "Imprimante 3D 1, fablab de Villeneuve-la-Garenne, mer. 25 nov. à 16:00."
    assert offer["url"] == "/#/bookings" and offer["urgency"] == "high"
    # Kept at the push service until the printer's slot starts, no longer.
    assert offer["ttl"] == int((paris(16) - NOW).total_seconds())
    start = got[f"fablab-{offer_and_reminder['booking_start']}-booking_start"]
    assert start["title"] == "Salle Ada Lovelace à 14:00"
    assert start["body"] == "Votre réservation commence mer. 25 nov. à 14:00, fablab de Villeneuve-la-Garenne."
    sent = await db.fetch("SELECT kind, status, attempts FROM push_delivery ORDER BY kind")
    assert [(r["kind"], r["status"], r["attempts"]) for r in sent] == [
        ("booking_start", "sent", 1), ("waitlist_booked", "sent", 1)]


async def test_each_phone_gets_it_once_in_its_own_language(app, learner, push_service, offer_and_reminder):
    from tests.support.clients import make_client, sign_in

    french, fr_subscription = push_service.phone("fr")
    await subscribe(learner, fr_subscription)
    async with make_client(app) as other_client:
        await sign_in(other_client, "learner1")
        english, en_subscription = push_service.phone("en")
        await subscribe(other_client, en_subscription, lang="en")
    await reminders.run_reminder_channels(NOW)
    assert push_service.problems == []
    assert len(push_service.delivered_to(french.path)) == 2 and len(push_service.delivered_to(english.path)) == 2
    titles = {m["title"] for m in push_service.delivered_to(english.path)}
    assert "A place is free: it is yours" in titles
    assert any("Wed 25 Nov, 14:00" in m["body"] for m in push_service.delivered_to(english.path))


async def test_two_job_runs_at_once_deliver_once(learner, push_service, offer_and_reminder):
    push_service.delay = 0.3
    phone, subscription = push_service.phone("a")
    await subscribe(learner, subscription)
    results = await asyncio.gather(reminders.run_reminder_channels(NOW), reminders.run_reminder_channels(NOW))
    assert push_service.problems == []
    assert len(push_service.delivered_to(phone.path)) == 2 and len(push_service.posts) == 2
    assert sum(r["push"]["sent"] for r in results) == 2 and sum(r["push"]["skipped"] for r in results) == 2


JOB_SCRIPT = """
import asyncio, json, sys, time
from datetime import datetime
from fablab.platform import db
from fablab.reports.reminders import run_reminder_channels
from fablab import routes_registry  # the domains' REMINDER_SOURCES, registered as the app does

async def main():
    db.configure(sys.argv[1])
    await db.start_pool(min_size=1, max_size=2)
    time.sleep(max(0.0, float(sys.argv[3]) - time.time()))  # both workers run the job together
    print(json.dumps(await run_reminder_channels(datetime.fromisoformat(sys.argv[2]))))
    await db.close_pool()

asyncio.run(main())
"""


async def test_two_worker_processes_running_the_job_at_once_deliver_once(
        database_url, learner, push_service, offer_and_reminder):
    push_service.delay = 0.3
    phone, subscription = push_service.phone("a")
    await subscribe(learner, subscription)
    env = {**os.environ, "FABLAB_SMTP_HOST": ""}
    start_at = str(time.time() + 3)
    processes = [subprocess.Popen([sys.executable, "-c", JOB_SCRIPT, database_url, NOW.isoformat(), start_at],
                                  env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [await asyncio.to_thread(p.communicate, timeout=60) for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert push_service.problems == []
    assert sum(r["push"]["sent"] for r in results) == 2 and sum(r["push"]["skipped"] for r in results) == 2
    assert len(push_service.delivered_to(phone.path)) == 2 and len(push_service.posts) == 2


async def test_a_410_deletes_the_subscription(learner, push_service, offer_and_reminder):
    gone, gone_subscription = push_service.phone("gone")
    kept, kept_subscription = push_service.phone("kept")
    await subscribe(learner, gone_subscription)
    await subscribe(learner, kept_subscription)
    push_service.script[gone.path] = [410]
    result = await reminders.run_reminder_channels(NOW)
    assert result["push"]["removed"] == 1 and result["push"]["sent"] == 2
    assert [r["endpoint"] for r in await db.fetch("SELECT endpoint FROM push_subscription")] == [
        kept_subscription["endpoint"]]
    assert len(push_service.delivered_to(kept.path)) == 2 and push_service.delivered_to(gone.path) == []
    # Nothing is posted to the forgotten phone again.
    await reminders.run_reminder_channels(NOW + timedelta(minutes=5))
    assert [p for p in push_service.posts if p[0] == gone.path] == [(gone.path, 410)]


async def test_a_503_is_retried_later_and_then_delivered_once(learner, push_service, offer_and_reminder):
    phone, subscription = push_service.phone("busy")
    await subscribe(learner, subscription)
    push_service.script[phone.path] = [503, 503]
    first = await reminders.run_reminder_channels(NOW)
    assert first["push"]["retry"] == 2 and push_service.delivered_to(phone.path) == []
    rows = await db.fetch("SELECT status, attempts, next_try_at FROM push_delivery")
    assert {(r["status"], r["attempts"]) for r in rows} == {("retry", 1)}
    assert all(r["next_try_at"] == NOW + backoff.FIRST_DELAY for r in rows)
    # Backing off: nothing posted before the delay has passed.
    early = await reminders.run_reminder_channels(NOW + timedelta(seconds=10))
    assert early["push"]["skipped"] == 2 and len(push_service.posts) == 2
    later = await reminders.run_reminder_channels(NOW + timedelta(minutes=1))
    again = await reminders.run_reminder_channels(NOW + timedelta(minutes=2))
    assert later["push"]["sent"] == 2 and again["push"]["sent"] == 0
    assert push_service.problems == []
    assert len(push_service.delivered_to(phone.path)) == 2
    assert [r["title"] for r in push_service.delivered_to(phone.path)].count(OFFER_TITLE) == 1
    assert {(r["status"], r["attempts"]) for r in await db.fetch("SELECT status, attempts FROM push_delivery")} == {
        ("sent", 2)}


async def test_a_refusal_for_good_is_not_retried(learner, push_service, offer_and_reminder):
    phone, subscription = push_service.phone("refuses")
    await subscribe(learner, subscription)
    push_service.script[phone.path] = [400, 400]
    assert (await reminders.run_reminder_channels(NOW))["push"]["failed"] == 2
    assert (await reminders.run_reminder_channels(NOW + timedelta(minutes=10)))["push"]["skipped"] == 2
    assert len(push_service.posts) == 2


async def test_overdue_and_loan_due_reach_the_learner(learner, push_service, demo):
    yesterday = paris(9, day=24)
    await add_booking("VLG-LAP-001", "learner1", yesterday, paris(14), "checked_out", created_at=yesterday,
                      checked_out_at=yesterday)
    await add_booking("VLG-LAP-002", "learner1", yesterday, paris(13), "checked_out", created_at=yesterday,
                      checked_out_at=yesterday)
    phone, subscription = push_service.phone("a")
    await subscribe(learner, subscription)
    await reminders.run_reminder_channels(NOW)
    titles = sorted(m["title"] for m in push_service.delivered_to(phone.path))
    assert titles == ["Portable 01 à rendre à 14:00", "Portable 02 : retour en retard"]


async def test_the_test_button_reaches_every_phone_at_once(learner, push_service):
    response = await learner.post("/api/me/push-subscriptions/test")
    assert response.status_code == 409 and response.json()["code"] == "push_not_subscribed"
    phone, subscription = push_service.phone("a")
    await subscribe(learner, subscription)
    response = await learner.post("/api/me/push-subscriptions/test")
    assert response.status_code == 200 and response.json() == {"sent": 1, "removed": 0, "failed": 0}
    assert [m["title"] for m in push_service.delivered_to(phone.path)] == ["Fablab : les notifications marchent"]
    assert push_service.problems == []


# ---------------------------------------------------------------------------------------------
# Pure parts


def reminder(kind: str, role: str = "learner", **booking) -> Reminder:
    row = {"id": 7, "tag": "VLG-LAP-007", "resource_name": "Ordinateur portable 7", "site_name": "Pantin",
           "timezone": "Europe/Paris", "starts_at": paris(14), "ends_at": paris(18), "user_name": "Inès", **booking}
    return Reminder(kind, row, Recipient(3, "Inès", role, None), paris(13), paris(14))


def test_payloads_are_small_and_say_what_where_when():
    for kind in ("booking_start", "loan_due", "loan_overdue", "waitlist_booked", "booking_withdrawn"):
        for lang in ("fr", "en"):
            note = payload.notification_for(reminder(kind), lang, NOW)
            body = note.payload()
            assert len(body) < 600 and json.loads(body)["url"].startswith("/")
            assert "Pantin" in note.body or "Pantin" in note.title
            assert "2026" not in note.body and ":00:00" not in note.body  # no ISO, no seconds
            assert len(note.topic) <= 32 and note.topic.isalnum()
    staff = payload.notification_for(reminder("loan_overdue", role="staff"), "fr", NOW)
    assert staff.url == "/t/VLG-LAP-007" and "Inès" in staff.body
    closed = payload.notification_for(reminder("booking_withdrawn", cancel_reason="closure"), "fr", NOW)
    assert closed.title == "Réservation annulée : fablab de Pantin fermé"
    noted = payload.notification_for(reminder("booking_withdrawn", cancel_reason="closure", cancel_note="Dégât des eaux"),
                                     "fr", NOW)
    assert noted.body == "Dégât des eaux : Ordinateur portable 7, mer. 25 nov. à 14:00."
    assert payload.notification_for(reminder("booking_start"), "fr", NOW).ttl_seconds == 30 * 60
    assert payload.notification_for(reminder("booking_start", resource_name="x" * 500), "fr", NOW).title.endswith("…")


def test_backoff_doubles_honours_retry_after_and_gives_up():
    assert backoff.next_try(1, NOW) == NOW + timedelta(seconds=30)
    assert backoff.next_try(3, NOW) == NOW + timedelta(minutes=2)
    assert backoff.next_try(7, NOW) == NOW + timedelta(minutes=32)
    assert backoff.next_try(9, NOW) == NOW + backoff.MAX_DELAY
    assert backoff.next_try(1, NOW, "600") == NOW + timedelta(minutes=10)
    assert backoff.next_try(1, NOW, "Wed, 25 Nov 2026 13:00:00 GMT") == NOW + timedelta(minutes=30)
    assert backoff.next_try(1, NOW, "999999") == NOW + backoff.MAX_RETRY_AFTER
    assert backoff.next_try(1, NOW, "soon") == NOW + timedelta(seconds=30)
    assert backoff.next_try(backoff.MAX_ATTEMPTS, NOW) is None


async def test_a_booking_cancelled_at_the_desk_is_told_once_and_ones_own_cancellation_is_not(
        learner, staff, push_service):
    from datetime import timezone

    now = datetime.now(timezone.utc)
    tomorrow = (now + timedelta(days=1)).astimezone(PARIS).replace(hour=10, minute=0, second=0, microsecond=0)
    by_desk = await add_booking("VLG-ROOM-002", "learner1", tomorrow, tomorrow + timedelta(hours=1), created_at=now)
    by_self = await add_booking("VLG-ROOM-003", "learner1", tomorrow, tomorrow + timedelta(hours=1), created_at=now)
    phone, subscription = push_service.phone("a")
    await subscribe(learner, subscription)
    assert (await staff.post(f"/api/bookings/{by_desk}/cancel", json={})).status_code == 200
    assert (await learner.post(f"/api/bookings/{by_self}/cancel", json={})).status_code == 200
    seen = (await learner.get(f"/api/bookings/{by_desk}")).json()
    assert seen["status"] == "cancelled" and seen["cancel_reason"] == "staff"  # the app says who cancelled
    assert await db.fetchval("SELECT cancel_reason FROM booking WHERE id = $1", by_self) is None
    first = await reminders.run_reminder_channels()
    again = await reminders.run_reminder_channels()
    assert first["push"]["sent"] == 1 and again["push"]["sent"] == 0
    [told] = push_service.delivered_to(phone.path)
    assert told["title"] == "Réservation annulée par l'équipe du fablab"
    assert told["tag"] == f"fablab-{by_desk}-booking_withdrawn" and "Salle Grace Hopper" in told["body"]


async def test_an_endpoint_no_longer_allowed_is_not_posted_to(learner, push_service, offer_and_reminder, monkeypatch):
    _, subscription = push_service.phone("a")
    await subscribe(learner, subscription)
    monkeypatch.delenv("FABLAB_PUSH_ALLOWED_ENDPOINTS")
    forget_push_settings()
    result = await reminders.run_reminder_channels(NOW)
    assert result["push"]["failed"] == 2 and push_service.posts == []
    assert (await learner.post("/api/me/push-subscriptions/test")).json() == {"sent": 0, "removed": 0, "failed": 1}
    assert push_service.posts == []


async def test_a_place_freed_by_a_real_cancellation_reaches_the_first_in_line_once(
        learner, staff, push_service):
    """The whole path: every laptop taken, learner1 waits, the desk cancels one; the waitlist books it
    for learner1 and the next run of the job tells their phone once (and the cancelled learner's
    notice goes to nobody: they have no phone here)."""
    from tests.support.waitlist import at, hold_all, join_for_laptop

    held = await hold_all("laptop", at(9), at(18))
    phone, subscription = push_service.phone("waiting")
    await subscribe(learner, subscription)
    assert (await join_for_laptop(learner)).status_code == 201
    assert (await staff.post(f"/api/bookings/{held[3]}/cancel")).status_code == 200
    assert push_service.posts == []  # nothing is sent from inside the request
    first = await reminders.run_reminder_channels()
    await reminders.run_reminder_channels()
    [offer] = push_service.delivered_to(phone.path)
    assert offer["title"] == OFFER_TITLE and offer["body"].startswith("Portable 04, fablab de Villeneuve-la-Garenne, ")
    assert first["push"]["sent"] == 1 and push_service.problems == []


async def test_my_data_lists_my_phones_and_old_deliveries_are_forgotten(learner, push_service, offer_and_reminder):
    _, subscription = push_service.phone("a")
    await subscribe(learner, subscription)
    data = (await learner.get("/api/me/data")).json()
    assert [p["endpoint"] for p in data["push_subscriptions"]] == [subscription["endpoint"]]
    assert "p256dh" not in data["push_subscriptions"][0]
    await reminders.run_reminder_channels(NOW)
    assert await db.fetchval("SELECT count(*) FROM push_delivery") == 2
    await service.deliver_due([], NOW + timedelta(days=6))
    assert await db.fetchval("SELECT count(*) FROM push_delivery") == 2
    await service.deliver_due([], NOW + timedelta(days=8))
    assert await db.fetchval("SELECT count(*) FROM push_delivery") == 0
