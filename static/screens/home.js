// Home by role: big buttons to what each person does most; a banner when the waitlist booked a place.
import {get} from "/js/api.js";
import {h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {fillLateBlocks} from "/js/late-returns.js";
import {freshlyFreed} from "/js/freed.js";
import {fillNextBooking} from "/js/next-booking.js";
import {fillNextWorkshop} from "/js/next-workshop.js";
import {currentUser, isAdmin, isStaff} from "/js/session.js";
import {unitShort} from "/js/stock.js";

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
  if (!freshlyFreed(entries).length) return;
  replace(banner, h("p", {class: "notice ok freed-banner"}, t("home.freed_banner"), " ",
    h("a", {href: ctx.href("bookings")}, t("home.freed_link"))));
}

// The learner's month (issue 19): what they used of each consumable, against their site's budget.
async function fillConsumption(block) {
  let mine;
  try {
    mine = await get("/api/me/consumption");
  } catch {
    return; // offline: the tiles are what matters
  }
  if (!mine.items.length) return;
  replace(block, h("section", {class: "card my-consumption", "aria-labelledby": "h-my-consumption"},
    h("h2", {id: "h-my-consumption"}, t("consumables.mine_title")),
    h("ul", {class: "figures"}, mine.items.map((item) => h("li", {},
      item.budget ? t("consumables.mine_budget", {name: item.name, used: item.used, budget: item.budget, unit: unitShort(item.unit)})
        : t("consumables.mine_line", {name: item.name, used: item.used, unit: unitShort(item.unit)}))))));
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
      tile(ctx, "consumables", t("consumables.nav"), t("consumables.lead")),
      tile(ctx, "workshops", t("workshops.nav"), t("workshops.home_staff_text")),
      tile(ctx, "consents/expiring", t("minors.expiring_title"), t("minors.expiring_tile")),
      tile(ctx, "book", t("home.book"), t("home.book_staff_text")),
      tile(ctx, "calendars", t("home.calendars"), t("home.calendars_text")),
    );
    if (isAdmin()) tiles.push(tile(ctx, "admin", t("home.admin"), t("home.admin_text")));
  } else {
    tiles.push(
      tile(ctx, "book", t("home.book"), t("home.book_text")),
      tile(ctx, "bookings", t("home.bookings"), t("home.bookings_text")),
      tile(ctx, "pass", t("home.pass"), t("home.pass_text")),
      tile(ctx, "my-workshops", t("workshops.nav"), t("workshops.home_text")),
      tile(ctx, "calendars", t("home.calendars"), t("home.calendars_text")),
    );
  }
  const banner = h("div", {role: "status"});
  const consumption = h("div", {});
  const next = h("div", {class: "home-next"});
  const nextWorkshop = h("div", {class: "home-next-workshop"});
  const suspension = h("div", {});
  const trainings = h("div", {});
  replace(root,
    h("h1", {}, t("home.hello", {name: user.name || user.login})),
    banner,
    suspension,
    isStaff() ? null : next,
    isStaff() ? null : nextWorkshop,
    h("ul", {class: "tiles"}, tiles),
    consumption,
    trainings,
  );
  fillFreedBanner(banner, ctx);
  if (!isStaff()) {
    fillNextBooking(next, ctx);
    fillNextWorkshop(nextWorkshop, ctx);
    fillConsumption(consumption);
    fillLateBlocks(suspension, trainings);
  }
}
