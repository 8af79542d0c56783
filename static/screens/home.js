// Home by role: big buttons to what each person does most; a banner when the waitlist booked a place.
import {get} from "/js/api.js";
import {h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {currentUser, isAdmin, isStaff} from "/js/session.js";

function tile(ctx, route, title, text) {
  return h("li", {}, h("a", {class: "tile", href: ctx.href(route)}, h("span", {class: "tile-title"}, title), h("span", {class: "tile-text"}, text)));
}

// Filled after the screen shows: the tiles never wait for the waitlist.
async function fillFreedBanner(banner, ctx) {
  let entries;
  try {
    entries = await get("/api/waitlist?mine=true");
  } catch {
    return; // offline or refused: no news is shown, nothing else depends on it
  }
  if (!entries.some((e) => e.status === "booked" && !e.seen)) return;
  replace(banner, h("p", {class: "notice ok freed-banner"}, t("home.freed_banner"), " ",
    h("a", {href: ctx.href("bookings")}, t("home.freed_link"))));
}

export async function render(root, ctx) {
  const user = currentUser();
  const tiles = [];
  if (isStaff()) {
    tiles.push(
      tile(ctx, "scan", t("home.scan"), t("home.scan_text")),
      tile(ctx, "today", t("home.today"), t("home.today_text")),
      tile(ctx, "learners", t("home.learners"), t("home.learners_text")),
      tile(ctx, "inventory", t("home.inventory"), t("home.inventory_text")),
      tile(ctx, "audit", t("home.audit"), t("home.audit_text")),
      tile(ctx, "series", t("home.series"), t("home.series_text")),
      tile(ctx, "waitlist", t("home.waitlist"), t("home.waitlist_text")),
      tile(ctx, "book", t("home.book"), t("home.book_staff_text")),
      tile(ctx, "calendars", t("home.calendars"), t("home.calendars_text")),
    );
    if (isAdmin()) tiles.push(tile(ctx, "admin", t("home.admin"), t("home.admin_text")));
  } else {
    tiles.push(
      tile(ctx, "book", t("home.book"), t("home.book_text")),
      tile(ctx, "bookings", t("home.bookings"), t("home.bookings_text")),
      tile(ctx, "pass", t("home.pass"), t("home.pass_text")),
      tile(ctx, "calendars", t("home.calendars"), t("home.calendars_text")),
    );
  }
  const banner = h("div", {role: "status"});
  replace(root,
    h("h1", {}, t("home.hello", {name: user.name || user.login})),
    banner,
    h("ul", {class: "tiles"}, tiles),
  );
  fillFreedBanner(banner, ctx);
}
