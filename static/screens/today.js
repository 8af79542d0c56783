// Today at my site: pick-ups expected, items out (returns due), overdue, no-shows, parts still missing.
import {errorMessage, get, query} from "/js/api.js";
import {h, notice, replace} from "/js/dom.js";
import {number} from "/js/figures.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {maintenanceDueBlock} from "/js/maintenance.js";
import {chosenSite, sitePicker} from "/js/site-choice.js";
import {unitShort} from "/js/stock.js";

// The item by its name (its tag only when it says more), the learner by name, the times; the
// item link is a full-height tap target.
function row(b, tz, extra) {
  const who = b.user ? `${b.user.name} (${b.user.login})` : "";
  const name = b.resource_name || b.resource;
  return h("li", {class: "item"},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, h("a", {class: "today-link", href: `/t/${encodeURIComponent(b.resource)}`}, name),
        name !== b.resource ? [" ", h("span", {class: "mono item-sub"}, b.resource)] : null),
      h("p", {class: "item-sub"}, who),
      h("p", {class: "item-sub"}, fmt.span(b.starts_at, b.ends_at, tz), extra ? ` — ${extra}` : "")));
}

// A part that did not come back with its item (issue 19): the part, its item, who keeps it, since when.
function missingPartRow(p, tz) {
  return h("li", {class: "item"},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, p.name, " ", h("a", {class: "today-link", href: `/t/${encodeURIComponent(p.resource)}`},
        t("parts.of_item", {item: p.resource_name || p.resource}))),
      h("p", {class: "item-sub"}, p.holder ? `${p.holder.name} (${p.holder.login})` : ""),
      h("p", {class: "item-sub"}, t("parts.since", {when: fmt.moment(p.missing_since, tz)}))));
}

function section(id, title, items) {
  return h("section", {class: "group", "aria-labelledby": id},
    h("h2", {id}, title, " ", h("span", {class: "count"}, `(${items.length})`)),
    items.length ? h("ul", {class: "list"}, items) : h("p", {class: "empty"}, t("today.none")));
}

// Consumables below their threshold (issue 19): each stays here until restocked; the e-mail went once.
function lowStockSection(site) {
  const body = h("div", {"aria-live": "polite"});
  const section = h("section", {class: "group low-stock", "aria-labelledby": "h-low-stock", hidden: true},
    h("h2", {id: "h-low-stock"}, t("consumables.low_title")), body);
  get(`/api/consumables${query({site: site.slug})}`).then((items) => {
    const low = items.filter((c) => c.low);
    if (!low.length) return;
    replace(body, h("ul", {class: "list"}, low.map((c) => h("li", {class: "item"}, h("div", {class: "item-main"},
      h("p", {class: "item-title"}, c.name),
      h("p", {class: "item-sub"}, t("consumables.low_line", {quantity: number(c.quantity), threshold: number(c.low_threshold), unit: unitShort(c.unit)})))))),
    h("p", {}, h("a", {class: "button", href: `/#/consumables${query({site: site.slug})}`}, t("consumables.low_link"))));
    section.hidden = false;
  }).catch(() => {}); // the day's loans matter more: no stock news rather than an error here
  return section;
}

export async function render(root, ctx) {
  const sites = await get("/api/sites");
  const site = chosenSite(sites, ctx.query.get("site"));
  const picker = sitePicker(sites, site, (slug) => ctx.go(`today${query({site: slug})}`));
  const tz = site.timezone;
  const day = fmt.today(tz);
  let bookings, out, missingParts;
  try {
    [bookings, out, missingParts] = await Promise.all([
      // `to` is a bound at midnight: the day after, to cover all of today.
      get(`/api/bookings${query({site: site.slug, from: day, to: fmt.addDays(day, 1)})}`),
      get(`/api/checkouts${query({site: site.slug})}`),
      get(`/api/parts/missing${query({site: site.slug})}`),
    ]);
  } catch (error) {
    replace(root, h("h1", {}, t("today.title")), picker, notice(errorMessage(error)));
    return;
  }
  const now = Date.now();
  const pickups = bookings.filter((b) => b.status === "confirmed" && fmt.ymd(b.starts_at, tz) === day);
  const overdue = out.filter((b) => b.overdue || Date.parse(b.ends_at) < now);
  const returns = out.filter((b) => !overdue.includes(b) && fmt.ymd(b.ends_at, tz) === day);
  const noShows = bookings.filter((b) => b.status === "no_show");
  replace(root,
    h("h1", {}, t("today.title")),
    h("p", {class: "lead"}, `${site.name} — ${fmt.dayLabel(day)}`),
    picker,
    lowStockSection(site),
    section("h-overdue", t("today.overdue"), overdue.map((b) => row(b, tz, t("today.late")))),
    section("h-pickups", t("today.pickups"), pickups.map((b) => row(b, tz))),
    section("h-returns", t("today.returns"), returns.map((b) => row(b, tz))),
    section("h-noshows", t("today.no_shows"), noShows.map((b) => row(b, tz))),
    section("h-missing-parts", t("parts.today"), missingParts.map((p) => missingPartRow(p, tz))),
    section("h-out", t("today.all_out"), out.map((b) => row(b, tz))),
    maintenanceDueBlock(site),
  );
}
