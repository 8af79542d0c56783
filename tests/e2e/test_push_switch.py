"""The learner turns on "Recevoir les rappels sur ce téléphone" on the pass screen in Chromium, the
subscription reaches the server, the test notification reaches the phone's push service, and turning
it off removes it.

Headless Chromium has no push service to subscribe with (PushManager.subscribe answers "Registration
failed - permission denied" even with the permission granted), so the page's PushManager is stubbed:
it hands the app a subscription whose endpoint is the stand-in push service on loopback
(tests/support/push_service.py) and whose keys the test holds, so the test notification the server sends is
checked (VAPID) and decrypted as the phone would. Everything else is real: the app's code, the
permission request, the server, the encryption.
"""

from __future__ import annotations

import json

import pytest
from py_vapid import Vapid02

from tests.support.clients import running_server
from tests.support.browser import no_horizontal_scroll, run_sql, serious_violations, sign_in
from tests.support.push_service import PushService

SWITCH = "Recevoir les rappels sur ce téléphone"
TEST_BUTTON = "Envoyer une notification d’essai"

STUB = """
(() => {
  const fake = %s;
  window.__push = {permissionAsked: 0, subscribeCalls: []};
  const asked = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => { window.__push.permissionAsked += 1; return asked(...args); };
  const KEY = "fablab.fakePush";
  const make = (key) => ({
    endpoint: fake.endpoint, expirationTime: null, options: {userVisibleOnly: true, applicationServerKey: key},
    toJSON() { return {endpoint: fake.endpoint, expirationTime: null, keys: fake.keys}; },
    async unsubscribe() { localStorage.removeItem(KEY); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    if (Notification.permission !== "granted") throw new DOMException("denied", "NotAllowedError");
    const key = new Uint8Array(options.applicationServerKey);
    window.__push.subscribeCalls.push({userVisibleOnly: options.userVisibleOnly, keyLength: key.length});
    localStorage.setItem(KEY, JSON.stringify(Array.from(key)));
    return make(key.buffer);
  };
  PushManager.prototype.getSubscription = async function () {
    const saved = localStorage.getItem(KEY);
    return saved ? make(new Uint8Array(JSON.parse(saved)).buffer) : null;
  };
})();
"""


@pytest.fixture(scope="module")
def vapid_key() -> Vapid02:
    key = Vapid02()
    key.generate_keys()
    return key


@pytest.fixture
def push_service(vapid_key):
    from fablab.push.settings import load_push_settings

    public_key = load_push_settings({"FABLAB_VAPID_PRIVATE_KEY": vapid_key.private_pem().decode()}).public_key
    with PushService(public_key) as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
def push_server(database_url, vapid_key):
    """The real server, with the loopback stand-in allowed as a push service (tests only): one for the
    module, each test on fresh demo data (`live_server`)."""
    with running_server(database_url, workers=2, FABLAB_VAPID_PRIVATE_KEY=vapid_key.private_pem().decode(),
                        FABLAB_PUSH_ALLOWED_ENDPOINTS="http://127.0.0.1:") as (base, _):
        yield base


@pytest.fixture
def live_server(push_server, demo):
    return push_server


def stubbed_phone(phone_factory, live_server, subscription: dict, *, grant: bool = True):
    phone = phone_factory(width=360)
    if grant:
        phone.page.context.grant_permissions(["notifications"], origin=live_server)
    phone.page.context.add_init_script(STUB % json.dumps(subscription))
    return phone


def subscriptions(database_url: str, login: str) -> list[str]:
    rows = run_sql(database_url, "SELECT p.endpoint FROM push_subscription p JOIN app_user u ON u.id = p.user_id "
                                 "WHERE u.login = $1", login)
    return [row["endpoint"] for row in rows]


@pytest.mark.parametrize("login", ["learner1", "staff.vlg"])
def test_turning_on_reminders_on_this_phone(phone_factory, live_server, database_url, push_service, login):
    device, subscription = push_service.phone(login)
    phone = stubbed_phone(phone_factory, live_server, subscription)
    page = phone.page
    sign_in(phone, login)
    phone.goto("/#/pass")
    page.get_by_role("heading", name="Mon pass").wait_for()
    switch = page.get_by_role("switch", name=SWITCH)
    switch.wait_for()
    page.get_by_text("Ce téléphone ne reçoit pas vos rappels.").wait_for()
    assert not switch.is_checked() and switch.is_enabled()
    assert page.get_by_role("button", name=TEST_BUTTON).is_hidden()  # nothing to test while off
    # Nothing is asked before the tap.
    assert page.evaluate("window.__push.permissionAsked") == 0
    assert no_horizontal_scroll(page)
    assert serious_violations(page) == []
    phone.shot(f"push-01-pass-off-{login}")

    switch.click()
    page.get_by_text("Ce téléphone reçoit vos rappels.").wait_for()
    assert switch.is_checked()
    assert page.evaluate("window.__push.permissionAsked") == 1
    assert page.evaluate("window.__push.subscribeCalls") == [{"userVisibleOnly": True, "keyLength": 65}]
    assert subscriptions(database_url, login) == [subscription["endpoint"]]
    phone.shot(f"push-02-pass-on-{login}")

    page.get_by_role("button", name=TEST_BUTTON).click()
    page.get_by_text("Notification envoyée").wait_for()
    assert push_service.problems == []
    assert [m["title"] for m in push_service.delivered_to(device.path)] == ["Fablab : les notifications marchent"]
    assert no_horizontal_scroll(page)
    phone.shot(f"push-03-test-sent-{login}")

    # Back later: the switch shows what the server knows.
    page.reload()
    page.get_by_text("Ce téléphone reçoit vos rappels.").wait_for()
    assert page.get_by_role("switch", name=SWITCH).is_checked()

    page.get_by_role("switch", name=SWITCH).click()
    page.get_by_text("Ce téléphone ne reçoit pas vos rappels.").wait_for()
    assert subscriptions(database_url, login) == []
    assert page.get_by_role("button", name=TEST_BUTTON).is_hidden()
    assert page.evaluate("localStorage.getItem('fablab.fakePush')") is None
    assert phone.errors() == []


def test_a_refused_permission_is_explained_and_nothing_is_sent(phone_factory, live_server, database_url,
                                                               push_service):
    _, subscription = push_service.phone("refused")
    phone = stubbed_phone(phone_factory, live_server, subscription, grant=False)
    page = phone.page
    # Headless Chromium answers "default" permission requests with a refusal, as a learner tapping "Block".
    sign_in(phone, "learner2")
    phone.goto("/#/pass")
    switch = page.get_by_role("switch", name=SWITCH)
    switch.wait_for()
    page.get_by_text("Ce téléphone ne reçoit pas vos rappels.").wait_for()
    switch.click()
    page.get_by_text("Les notifications sont bloquées").wait_for()
    assert not switch.is_checked() and page.get_by_role("button", name=TEST_BUTTON).is_hidden()
    assert subscriptions(database_url, "learner2") == []
    assert no_horizontal_scroll(page)
    phone.shot("push-04-permission-refused")
    assert phone.errors() == []


def test_signing_out_stops_this_phone(phone_factory, live_server, database_url, push_service):
    _, subscription = push_service.phone("leaving")
    phone = stubbed_phone(phone_factory, live_server, subscription)
    page = phone.page
    sign_in(phone, "learner3")
    phone.goto("/#/pass")
    page.get_by_role("switch", name=SWITCH).click()
    page.get_by_text("Ce téléphone reçoit vos rappels.").wait_for()
    assert subscriptions(database_url, "learner3") == [subscription["endpoint"]]
    page.evaluate("import('/js/session.js').then((m) => m.signOut())")
    page.wait_for_function("document.cookie !== null")
    for _ in range(50):
        if not subscriptions(database_url, "learner3"):
            break
        page.wait_for_timeout(100)
    assert subscriptions(database_url, "learner3") == []


def test_the_service_worker_shows_a_push_with_its_screen(phone_factory, live_server, push_service):
    """A push delivered to the app's service worker (through Chromium's DevTools protocol, as the
    push service would) becomes a notification with the server's title, body, tag and screen."""
    _, subscription = push_service.phone("sw")
    phone = stubbed_phone(phone_factory, live_server, subscription)
    page = phone.page
    sign_in(phone, "learner4")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(300)
    [registration] = [r for r in registrations if r["scopeURL"].startswith(live_server) and not r["isDeleted"]][:1]
    message = {"title": "Une place s'est libérée : elle est à vous", "body": "Imprimante 3D 1, fablab de Pantin",
               "url": "/#/bookings", "tag": "fablab-12-waitlist_booked"}
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server, "registrationId": registration["registrationId"],
                                                  "data": json.dumps(message)})
    shown = []
    for _ in range(50):
        shown = page.evaluate("navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((all) => "
                              "all.map((n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url})))")
        if shown:
            break
        page.wait_for_timeout(100)
    assert shown == [{"title": message["title"], "body": message["body"], "tag": message["tag"], "url": "/#/bookings"}]
    # The same event again replaces the notification rather than adding one; a foreign URL is not followed.
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server, "registrationId": registration["registrationId"],
                                                  "data": json.dumps({**message, "url": "https://example.com/"})})
    page.wait_for_timeout(500)
    shown = page.evaluate("navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((all) => "
                          "all.map((n) => n.data && n.data.url))")
    assert shown == ["/"]


def test_in_english_the_phone_gets_english_notifications(phone_factory, live_server, database_url, push_service):
    device, subscription = push_service.phone("english")
    phone = stubbed_phone(phone_factory, live_server, subscription)
    page = phone.page
    sign_in(phone, "learner5")
    phone.goto("/#/pass")
    page.get_by_label("Langue").select_option("en")
    switch = page.get_by_role("switch", name="Get reminders on this phone")
    switch.wait_for()
    switch.click()
    page.get_by_text("This phone gets your reminders.").wait_for()
    rows = run_sql(database_url, "SELECT p.lang FROM push_subscription p JOIN app_user u ON u.id = p.user_id "
                                 "WHERE u.login = 'learner5'")
    assert [row["lang"] for row in rows] == ["en"]
    page.get_by_role("button", name="Send a test notification").click()
    page.get_by_text("Notification sent").wait_for()
    assert [m["title"] for m in push_service.delivered_to(device.path)] == ["Fablab: notifications are on"]
    assert no_horizontal_scroll(page)
    phone.shot("push-05-english")
    assert phone.errors() == []
