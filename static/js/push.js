// "Recevoir les rappels sur ce téléphone" (issue 20): Web Push on this phone. The browser asks for
// the permission only when the learner taps the switch, never on its own.
import {api, ApiError, errorMessage} from "/js/api.js";
import {h, notice, replace} from "/js/dom.js";
import {lang, t} from "/js/i18n.js";

export function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

// The VAPID key comes as base64url; PushManager.subscribe wants its bytes.
function keyBytes(base64url) {
  const base64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function sameKey(subscription, key) {
  const current = subscription.options && subscription.options.applicationServerKey;
  if (!current) return true;
  const a = new Uint8Array(current);
  return a.length === key.length && a.every((byte, i) => byte === key[i]);
}

async function registration() {
  // `ready` waits for the service worker app.js registers; it never settles without one.
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("no service worker")), 10000));
  return Promise.race([navigator.serviceWorker.ready, timeout]);
}

async function browserSubscription() {
  return (await registration()).pushManager.getSubscription();
}

// The server's problems have their sentence; the browser's (no push service, refused key) one of ours.
function pushMessage(error) {
  return error instanceof ApiError ? errorMessage(error) : t("push.failed");
}

async function turnOn() {
  // The one place the permission is asked: inside the tap's handler.
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return "denied";
  const {public_key: publicKey} = await api("GET", "/api/push/key");
  const key = keyBytes(publicKey);
  const manager = (await registration()).pushManager;
  let subscription = await manager.getSubscription();
  if (subscription && !sameKey(subscription, key)) {
    await subscription.unsubscribe();  // made for another server key: its messages would be refused
    subscription = null;
  }
  if (!subscription) subscription = await manager.subscribe({userVisibleOnly: true, applicationServerKey: key});
  await api("POST", "/api/me/push-subscriptions", {...subscription.toJSON(), lang: lang()});
  return "on";
}

async function turnOff() {
  const subscription = await browserSubscription();
  if (!subscription) return;
  try {
    await api("DELETE", `/api/me/push-subscriptions?endpoint=${encodeURIComponent(subscription.endpoint)}`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
  await subscription.unsubscribe();
}

// Is this phone subscribed for the signed-in user? A phone whose session changed (a new sign-in)
// is linked again to this session, so that signing out here stops it; a new language is passed on.
async function serverKnows(subscription) {
  if (!subscription || Notification.permission !== "granted") return false;
  const mine = await api("GET", "/api/me/push-subscriptions");
  const found = mine.find((item) => item.endpoint === subscription.endpoint);
  if (found && (!found.this_device || found.lang !== lang())) {
    await api("POST", "/api/me/push-subscriptions", {...subscription.toJSON(), lang: lang()});
  }
  return Boolean(found);
}

// The card's parts; show(on) sets the switch, its status line and the test button together.
function pushCard() {
  const card = {
    status: h("p", {class: "hint", role: "status"}),
    message: h("div", {"aria-live": "polite"}),
    toggle: h("input", {type: "checkbox", role: "switch", id: "push-switch", disabled: true}),
    testButton: h("button", {type: "button", class: "wide", hidden: true}, t("push.test")),
  };
  card.section = h("section", {class: "push-card", "aria-labelledby": "push-title"},
    h("h2", {id: "push-title"}, t("push.title")),
    h("div", {class: "push-switch"}, card.toggle, h("label", {for: "push-switch"}, t("push.switch"))),
    h("p", {class: "hint"}, t("push.hint")),
    card.status, card.testButton, card.message,
  );
  card.show = (on) => {
    card.toggle.checked = on;
    card.status.textContent = on ? t("push.on") : t("push.off");
    card.testButton.hidden = !on;
  };
  return card;
}

// A tap on the switch: subscribe (the browser asks the permission) or unsubscribe this phone.
async function switched(card) {
  const {message, show, status, toggle} = card;
  const wanted = toggle.checked;
  toggle.disabled = true;
  status.textContent = t("push.working");
  replace(message);
  try {
    if (wanted) {
      const outcome = await turnOn();
      if (outcome === "denied") {
        show(false);
        replace(message, notice(t("push.denied")));
      } else {
        show(true);
      }
    } else {
      await turnOff();
      show(false);
    }
  } catch (error) {
    show(!wanted);
    replace(message, notice(pushMessage(error)));
  } finally {
    toggle.disabled = false;
  }
}

// "Envoyer une notification d’essai": one to each phone of the learner; says so when none was sent.
async function sendTest(card) {
  const {message, testButton} = card;
  testButton.disabled = true;
  replace(message);
  try {
    const result = await api("POST", "/api/me/push-subscriptions/test", {});
    replace(message, result.sent > 0 ? notice(t("push.test_sent"), "ok") : notice(t("push.test_none")));
  } catch (error) {
    replace(message, notice(pushMessage(error)));
  } finally {
    testButton.disabled = false;
  }
}

// The switch and the test button, appended to `root` (the pass screen mounts it).
export async function mountPushSwitch(root) {
  const card = pushCard();
  root.append(card.section);
  if (!pushSupported()) {
    card.status.textContent = t("push.unsupported");
    return card.section;
  }
  try {
    card.show(await serverKnows(await browserSubscription()));
  } catch {
    card.show(false);
  }
  if (Notification.permission === "denied") replace(card.message, notice(t("push.denied")));
  card.toggle.disabled = false;
  card.toggle.addEventListener("change", () => switched(card));
  card.testButton.addEventListener("click", () => sendTest(card));
  return card.section;
}
