// Boot and routing: hash routes (#/book, #/invite/TOKEN…) and the tag page at /t/{TAG}.
import {errorMessage} from "/js/api.js";
import {h, replace} from "/js/dom.js";
import {initLang, lang, languages, setLang, t} from "/js/i18n.js";
import {currentUser, isAdmin, isStaff, loadUser, signOut} from "/js/session.js";

// pattern → screen module and who may open it ("any": also signed out).
const ROUTES = [
  ["login", "login", "any"],
  ["invite/:token", "invite", "any"],
  ["pass/:token", "scanned-pass", "any"],
  ["", "home", "user"],
  ["book", "book", "user"],
  ["bookings", "bookings", "user"],
  ["pass", "pass", "user"],
  ["calendars", "calendars", "user"],
  ["scan", "scan", "staff"],
  ["counter", "counter", "staff"],
  ["handover", "handover", "staff"],
  ["today", "today", "staff"],
  ["learners", "learners", "staff"],
  ["inventory", "inventory", "staff"],
  ["audit", "audit", "staff"],
  ["audit/:id", "audit-report", "staff"],
  ["learners/invites", "invites", "staff"],
  ["series", "series", "staff"],
  ["waitlist", "waitlist", "staff"],
  ["admin", "admin", "admin"],
  ["reports", "reports", "staff"],
  ["reports/impact", "impact", "staff"],
  ["consumables", "consumables", "staff"],
  ["admin/sites", "admin-sites", "admin"],
  ["admin/sites/:slug", "admin-sites", "admin"],
  ["admin/policies", "admin-policies", "admin"],
  ["admin/trainings", "admin-trainings", "admin"],
  ["admin/staff", "admin-staff", "admin"],
  ["admin/closures", "admin-closures", "admin"],
  ["admin/maintenance", "admin-maintenance", "staff"],
  // Workshops (issue 29): staff screens, the learner's list, the public agenda.
  ["workshops", "workshops", "staff"],
  ["workshops/:id", "workshop", "staff"],
  ["partners", "partners", "staff"],
  ["participants/:id/card", "participant-card", "staff"],
  ["courses", "courses", "staff"],
  ["courses/:id", "courses", "staff"],
  ["my-workshops", "my-workshops", "user"],
  ["agenda/:site", "agenda", "any"],
  // visitors (issue 30): the desk's visitor form and their printable pass.
  ["visitors", "visitors", "staff"],
  ["visitors/:id", "visitor-pass", "staff"],
  // Minors and consents (issue 30): a minor's guardians and consents, the consents about to expire.
  ["people/:id/minor", "minor", "staff"],
  ["consents/expiring", "consents-expiring", "staff"],
  // Minors' admin settings (issue 30): each site's consent text, in versions.
  ["admin/consents", "admin-consents", "admin"],
];

const main = () => document.getElementById("main");

function match(path) {
  const parts = path.split("/").filter(Boolean);
  for (const [pattern, screen, access] of ROUTES) {
    const want = pattern.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    const ok = want.every((piece, i) => {
      if (piece.startsWith(":")) {
        params[piece.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return piece === parts[i];
    });
    if (ok) return {screen, access, params};
  }
  return null;
}

// The route to show: the hash wins; else /t/{TAG} (a camera opened a label); else home.
function currentRoute() {
  const hash = location.hash.replace(/^#\/?/, "");
  if (!hash) {
    const tagMatch = location.pathname.match(/^\/t\/([^/]+)\/?$/);
    if (tagMatch) return {screen: "tag", access: "any", params: {tag: decodeURIComponent(tagMatch[1])}};
  }
  const [path, search = ""] = hash.split("?");
  const found = match(path);
  if (!found) return {screen: "notfound", access: "any", params: {}};
  found.query = new URLSearchParams(search);
  return found;
}

export function go(route) {
  const target = `#/${route}`;
  if (location.pathname !== "/") location.assign(`/${target}`);
  else if (location.hash === target) render();
  else location.hash = target;
}

export function href(route) {
  return `/#/${route}`;
}

// A toast belongs to the screen it reports on: the current one, or the one a screen opens right
// after it (a booking made, then "Mes réservations"), and no further. It sits in the page's flow
// above the screen, so it never covers what the person is reading.
const TOAST_CARRIES_OVER_MS = 1500;
let toastTimer = null;
let toastScreen = -1;
let toastAt = 0;
export function toast(message) {
  const box = document.getElementById("toast");
  if (box.nextElementSibling !== main()) main().before(box);
  box.textContent = message;
  box.classList.add("show");
  toastScreen = renderCount;
  toastAt = Date.now();
  clearTimeout(toastTimer);
  toastTimer = setTimeout(hideToast, 5000);
}

function hideToast() {
  const box = document.getElementById("toast");
  clearTimeout(toastTimer);
  box.classList.remove("show");
  box.textContent = "";
}

// Staff and admins have too many screens for a row of links at 360 px: a menu button that opens
// the full list (a disclosure, closed again on every route change). Learners keep their row of four.
function navItems() {
  if (!currentUser()) return [];
  const items = [["", t("nav.home")]];
  if (!isStaff()) return [...items, ["book", t("nav.book")], ["bookings", t("nav.bookings")], ["pass", t("nav.pass")]];
  items.push(
    ["scan", t("nav.scan")], ["counter", t("counter.nav")], ["today", t("nav.today")], ["book", t("nav.book")], ["learners", t("desk.nav_learners")],
    ["inventory", t("desk.nav_inventory")], ["audit", t("desk.nav_audit")], ["series", t("nav.series")],
    ["waitlist", t("nav.waitlist")], ["reports", t("desk.nav_reports")], ["consumables", t("consumables.nav")],
    ["workshops", t("workshops.nav")], ["partners", t("workshops.nav_partners")], ["courses", t("workshops.nav_courses")],
    ["visitors", t("visitors.nav")],
  );
  if (isAdmin()) items.push(["admin", t("desk.nav_admin")]);
  return items;
}

function renderNav(active) {
  const items = navItems();
  const nav = document.getElementById("nav");
  nav.onkeydown = null;
  const links = (attrs) => h("ul", attrs, items.map(([route, label]) => h("li", {}, h("a", {
    href: href(route), "aria-current": route === active ? "page" : null,
  }, label))));
  if (!items.length) {
    replace(nav);
  } else if (!isStaff()) {
    replace(nav, links({}));
  } else {
    const list = links({id: "nav-menu", class: "nav-menu", hidden: true});
    const setOpen = (open) => {
      list.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
    };
    const toggle = h("button", {type: "button", class: "menu-toggle", "aria-expanded": "false", "aria-controls": "nav-menu",
      onclick: () => setOpen(list.hidden)}, t("desk.menu"));
    // Escape closes the menu and gives the focus back to its button.
    nav.onkeydown = (event) => {
      if (event.key === "Escape" && !list.hidden) {
        setOpen(false);
        toggle.focus();
      }
    };
    const here = items.find(([route]) => route === active);
    replace(nav, h("div", {class: "menu-row"}, toggle, here ? h("span", {class: "menu-here"}, here[1]) : null), list);
  }
  document.getElementById("brand").textContent = t("app.name");
}

function renderFooter() {
  const user = currentUser();
  const foot = document.getElementById("foot");
  const langSelect = h("select", {id: "lang", "aria-label": t("app.language"), onchange: async (event) => {
    await setLang(event.target.value);
    render();
  }}, Object.entries(languages()).map(([code, name]) => h("option", {value: code, selected: code === lang(), lang: code}, name)));
  replace(foot,
    user ? h("p", {class: "who"}, t("app.signed_in_as", {name: user.name || user.login})) : null,
    h("div", {class: "foot-row"},
      h("label", {for: "lang", class: "visually-hidden"}, t("app.language")), langSelect,
      user ? h("button", {type: "button", class: "link", id: "logout", onclick: logout}, t("app.logout")) : null,
    ),
  );
}

async function logout() {
  try {
    await signOut();
  } catch (error) {
    toast(errorMessage(error));
    return;
  }
  go("login");
}

let renderCount = 0;

export async function render() {
  const mine = ++renderCount;
  // Only a toast shown just before this screen was asked for speaks of it.
  if (toastScreen < mine - 1 || Date.now() - toastAt > TOAST_CARRIES_OVER_MS) hideToast();
  const route = currentRoute();
  const user = currentUser();
  if (route.access !== "any" && !user) {
    const next = location.hash.replace(/^#\/?/, "") || (location.pathname.startsWith("/t/") ? location.pathname : "");
    location.replace(`/#/login${next && next !== "login" ? `?next=${encodeURIComponent(next)}` : ""}`);
    return;
  }
  if ((route.access === "staff" && !isStaff()) || (route.access === "admin" && !isAdmin())) {
    route.screen = "forbidden";
  }
  if (route.screen === "login" && user) {
    go("");
    return;
  }
  renderNav(route.screen === "tag" ? null : location.hash.replace(/^#\/?/, "").split("?")[0]);
  renderFooter();
  const root = main();
  root.setAttribute("aria-busy", "true");
  try {
    const module = await import(`/screens/${route.screen}.js`);
    if (mine !== renderCount) return;
    const view = h("div", {class: "screen"});
    await module.render(view, {params: route.params, query: route.query || new URLSearchParams(), go, href, toast, render});
    if (mine !== renderCount) return;
    replace(root, view);
  } catch (error) {
    if (mine !== renderCount) return;
    console.warn(error);
    // Offline or a server hiccup may pass: "Réessayer" runs the screen again.
    replace(root, h("div", {class: "screen"}, h("h1", {}, t("errors.title")), h("div", {class: "notice error retry", role: "alert"},
      h("p", {}, errorMessage(error)), h("button", {type: "button", class: "primary", onclick: render}, t("refusal.retry")))));
  } finally {
    root.removeAttribute("aria-busy");
  }
  const heading = root.querySelector("h1");
  document.title = heading ? `${heading.textContent} · ${t("app.name")}` : t("app.name");
  // Move focus to the new screen so screen readers announce it (not on the very first load).
  if (renderCount > 1 && heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({preventScroll: false});
  }
}

async function boot() {
  await initLang();
  try {
    await loadUser();
  } catch {
    // Offline without a cached answer: the screens say so themselves.
  }
  window.addEventListener("hashchange", render);
  await render();
  // The words the booking and desk screens list, fetched while the person reads the first screen.
  import("/js/vocabulary.js").then((words) => words.vocabulary()).catch(() => {});
  if ("serviceWorker" in navigator && location.protocol !== "file:") {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(() => {});
  }
}

boot();
