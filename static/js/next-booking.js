// The learner's home (issue 28): their next booking, and one tap to book again what they booked
// last ("Un ordinateur portable demain"), which opens the booking screen on that kind and day: a
// laptop tomorrow is three touches from home (this button, a slot, "Réserver").
import {get, query} from "/js/api.js";
import {h, replace} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {currentUser} from "/js/session.js";
import {vocabulary, weekdayOf} from "/js/vocabulary.js";

const HOLDING = ["confirmed", "checked_out"];

// The first day from tomorrow on which the site opens by its weekly hours (closures are the
// booking screen's business: it moves to the next open day).
function nextOpenDay(site, weekdays) {
  const first = fmt.addDays(fmt.today(site.timezone), 1);
  for (let i = 0; i < 7; i += 1) {
    const day = fmt.addDays(first, i);
    if ((site.opening_hours?.[weekdayOf(day, weekdays)] || []).length) return day;
  }
  return first;
}

function nextPart(next, sites) {
  const site = sites.find((s) => s.slug === next?.site) || sites[0];
  return h("section", {class: "card next-booking", "aria-labelledby": "h-next"},
    h("h2", {id: "h-next"}, t("screens.next_booking")),
    next ? h("p", {}, h("strong", {}, next.resource_name || next.resource), h("br"), fmt.span(next.starts_at, next.ends_at, site.timezone))
      : h("p", {class: "empty"}, t("screens.next_none")));
}

// The kind and site booked last (a laptop at home when there is none yet), for tomorrow or the next open day.
function againPart(ctx, last, sites, weekdays) {
  const site = sites.find((s) => s.slug === (last?.site || currentUser().site)) || sites[0];
  if (!site) return null;
  const kind = last?.kind || "laptop";
  const day = nextOpenDay(site, weekdays);
  const what = t(`screens.a_kind.${kind}`);
  const label = day === fmt.addDays(fmt.today(site.timezone), 1) ? t("screens.again_tomorrow", {what})
    : t("screens.again_day", {what, day: fmt.dayLabel(day)});
  return h("a", {class: "button primary wide book-again", href: ctx.href(`book${query({site: site.slug, kind, date: day})}`)}, label);
}

// Filled after the tiles show; offline or refused, the block stays empty.
export async function fillNextBooking(block, ctx) {
  let mine, sites, words;
  try {
    [mine, sites, words] = await Promise.all([get("/api/bookings?mine=true"), get("/api/sites"), vocabulary()]);
  } catch {
    return;
  }
  const list = Array.isArray(mine) ? mine : (mine.bookings || []);
  const now = Date.now();
  const next = list.filter((b) => HOLDING.includes(b.status) && Date.parse(b.ends_at) > now)
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at))[0];
  const last = [...list].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
  replace(block, againPart(ctx, last, sites, words.weekdays), nextPart(next, sites));
}
