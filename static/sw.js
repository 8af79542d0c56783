// Service worker: the app shell from cache (fresh copies fetched behind it), and the signed-in
// learner's own bookings, pass and profile kept for reading offline. The page deletes the
// "fablab-user" cache at sign-in and sign-out, so nobody is ever shown another person's data.
const VERSION = "2026-12-07.14";
const SHELL_CACHE = `fablab-shell-${VERSION}`;
const USER_CACHE = "fablab-user";

const SHELL = [
  "/", "/index.html", "/app.css", "/manifest.webmanifest",
  "/icons/icon-192.png", "/icons/icon-512.png", "/icons/apple-touch-icon.png",
  "/js/app.js", "/js/api.js", "/js/dom.js", "/js/format.js", "/js/i18n.js", "/js/invite-card.js",
  "/js/people.js", "/js/push.js", "/js/refusal.js", "/js/scanner.js", "/js/session.js", "/js/vocabulary.js",
  "/i18n/fr.js", "/i18n/en.js",
  "/screens/admin.js", "/screens/audit.js", "/screens/book.js", "/screens/bookings.js", "/screens/calendars.js",
  "/screens/forbidden.js", "/screens/home.js", "/screens/inventory.js", "/screens/invite.js", "/screens/learners.js",
  "/screens/login.js", "/screens/notfound.js", "/screens/pass.js", "/screens/scan.js", "/screens/scanned-pass.js",
  "/screens/series.js", "/screens/tag.js", "/screens/today.js", "/screens/waitlist.js",
  // The desk's own modules.
  "/js/desk.js", "/js/parts.js", "/screens/audit-report.js", "/screens/invites.js",
  // Reports and administration.
  "/js/admin-kit.js", "/js/charts.js", "/js/figures.js", "/js/hours-editor.js", "/js/policy-form.js",
  "/screens/admin-closures.js", "/screens/admin-policies.js", "/screens/admin-sites.js", "/screens/admin-staff.js",
  "/screens/admin-trainings.js", "/screens/reports.js",
  // Consumables (issue 19).
  "/js/stock.js", "/screens/consumables.js",
  // Maintenance by use.
  "/js/maintenance.js", "/screens/admin-maintenance.js",
  // An item leaving service: what became of its bookings (issue 25).
  "/js/rebooked.js",
  // Every screen right for every role (issue 28): the site picker, the learner's next booking.
  "/js/site-choice.js", "/js/next-booking.js",
  "/js/grammar.js", "/js/stock-ledger.js", "/js/freed.js", "/js/contact.js",
  "/js/staff-feed.js", "/js/timezone-choice.js",
  // Drawn signatures: loan agreements (issue 31), guardians' consents (issue 30).
  "/js/signature-field.js", "/vendor/signature_pad/signature_pad.js",
  // Workshops and courses (issue 29).
  "/js/workshops.js", "/js/workshop-form.js", "/js/workshop-people.js", "/screens/workshops.js", "/screens/workshop.js",
  "/screens/partners.js", "/screens/courses.js", "/screens/my-workshops.js", "/screens/agenda.js", "/js/next-workshop.js", "/screens/participant-card.js",
  // Late returns and trainings that expire (issue 31).
  "/js/late-returns.js", "/js/late-policy.js", "/js/training-validity.js",
  // Several items in one hand-over, under the signed loan agreement (issue 31).
  "/screens/handover.js", "/js/agreement-form.js",
  // The counter driven by a barcode scanner (issue 31).
  "/screens/counter.js", "/js/counter-input.js", "/js/counter-lend.js", "/js/counter-return.js", "/js/counter-send.js",
  "/js/counter-agreement.js",
  // The label sheet's print button (issue 28).
  "/js/label-sheet.js",
  "/counter.css",
  // The funders' impact report (issue 29).
  "/screens/impact.js",
  // visitors (issue 30): the desk's visitor form and their printable pass.
  "/screens/visitors.js", "/screens/visitor-pass.js",
  // Minors and consents (issue 30): a minor's record and its signature, the consents about to expire.
  "/screens/minor.js", "/screens/consents-expiring.js", "/screens/admin-consents.js",
];

// Data worth reading offline: network first, the saved copy only when the network fails.
// The signed-in person's own, forgotten at sign-in and sign-out:
const OWN_DATA = new Set(["/api/me", "/api/me/pass", "/api/bookings?mine=true", "/api/waitlist?mine=true",
  "/api/me/missing-parts", "/api/me/workshops"]);
// The same for everyone, kept with the app's files (the screens that list kinds need it to start):
const APP_DATA = new Set(["/api/vocabulary"]);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll([...SHELL, ...APP_DATA])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("fablab-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function savedData(request, key, cacheName) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(cacheName);
      await cache.put(key, response.clone());
    } else if (response.status === 401) {
      await caches.delete(USER_CACHE);
    }
    return response;
  } catch (error) {
    const cache = await caches.open(cacheName);
    const saved = await cache.match(key);
    if (!saved) throw error;
    const headers = new Headers(saved.headers);
    headers.set("x-fablab-offline", "1");
    return new Response(await saved.blob(), {status: saved.status, headers});
  }
}

async function page(request) {
  try {
    return await fetch(request);
  } catch (error) {
    // /t/{TAG} and / are the same app: any navigation falls back to the cached shell.
    const cached = await caches.match("/index.html");
    if (cached) return cached;
    throw error;
  }
}

async function shellFile(request, event) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request, {ignoreSearch: true});
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(fresh.catch(() => undefined));
    return cached;
  }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const key = url.pathname + url.search;
  if (OWN_DATA.has(key)) {
    event.respondWith(savedData(request, key, USER_CACHE));
    return;
  }
  if (APP_DATA.has(key)) {
    event.respondWith(savedData(request, key, SHELL_CACHE));
    return;
  }
  // Everything else from the API, the feeds and the docs goes straight to the network.
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/cal/") || url.pathname.startsWith("/schema") || url.pathname === "/health") return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
    return;
  }
  if (SHELL.includes(url.pathname)) event.respondWith(shellFile(request, event));
});

// Web Push (issue 20): show what the server sent (title, body, the screen to open). The tag names
// the event, so a message that reached the phone twice still shows once.
function appPath(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : "/";
}

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = {};
  }
  event.waitUntil(self.registration.showNotification(message.title || "Fablab", {
    body: message.body || "",
    tag: message.tag || undefined,
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    data: {url: appPath(message.url)},
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(appPath(event.notification.data && event.notification.data.url), self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
    for (const client of windows) {
      if (new URL(client.url).origin !== self.location.origin) continue;
      await client.focus();
      try {
        return await client.navigate(target);
      } catch {
        break;  // not controlled by this worker yet: open a window instead
      }
    }
    return self.clients.openWindow(target);
  })());
});
