// What the workshop screens share (issue 29): a workshop's seats in words, its line in a list, a
// sign-up's badge, and times typed at the site turned into instants for the API.
import {get, query} from "/js/api.js";
import {h} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";

// "2026-12-09" + "14:30" typed at a site in `tz` → the instant, as ISO text. The offset is read
// twice: a time typed on the day clocks change still lands on the hour people meant.
export function zonedIso(day, hhmm, tz = fmt.DEFAULT_TZ) {
  const [y, m, d] = day.split("-").map(Number);
  const [hh, mm] = hhmm.split(":").map(Number);
  const wanted = Date.UTC(y, m - 1, d, hh, mm);
  let guess = wanted;
  for (let i = 0; i < 2; i += 1) {
    const shown = new Date(guess).toLocaleString("sv-SE", {timeZone: tz}).replace(" ", "T");
    guess -= Date.parse(`${shown}Z`) - wanted;
  }
  return new Date(guess).toISOString();
}

// "14:30" of an instant at the site, for a time field.
export function hhmm(iso, tz) {
  return new Date(iso).toLocaleTimeString("sv-SE", {timeZone: tz || fmt.DEFAULT_TZ, hour: "2-digit", minute: "2-digit"});
}

export function seatsLeft(w) {
  if (typeof w.seats_left === "number") return w.seats_left;
  return Math.max(0, (w.capacity || 0) - (w.seats_taken || 0) - (w.held_free || 0));
}

// "3 place(s) libre(s) sur 12", or "Complet".
export function seatsText(w) {
  const n = seatsLeft(w);
  return n > 0 ? t("workshops.seats_left", {n, capacity: w.capacity}) : t("workshops.full");
}

export function agesText(w) {
  const min = w.min_age ?? null;
  const max = w.max_age ?? null;
  if (min !== null && max !== null) return t("workshops.ages", {min, max});
  if (min !== null) return t("workshops.age_min", {min});
  if (max !== null) return t("workshops.age_max", {max});
  return "";
}

// A sign-up as a badge: "Inscrit·e" or "Liste d'attente : position N".
export function registrationBadge(reg) {
  if (!reg) return null;
  if (reg.status === "waiting") return h("span", {class: "badge st-waiting"}, t("workshops.waiting_position", {n: reg.position}));
  if (reg.status === "registered") return h("span", {class: "badge st-confirmed"}, t("workshops.signed_up"));
  return null;
}

// The facts under a workshop's title: when, seats, ages, room.
export function workshopFacts(w, tz) {
  const facts = [fmt.span(w.starts_at, w.ends_at, tz)];
  const ages = agesText(w);
  if (ages) facts.push(ages);
  if (w.room_name || w.room) facts.push(t("workshops.in_room", {room: w.room_name || w.room}));
  return facts.join(" · ");
}

// One workshop in a list; `extra` goes under its facts (a link, a button, a badge).
export function workshopItem(w, tz, ...extra) {
  const cancelled = w.status === "cancelled";
  return h("li", {class: "item workshop", "data-id": String(w.id)},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, w.title, cancelled ? [" ", h("span", {class: "badge st-cancelled"}, t("workshops.cancelled_badge"))] : null),
      h("p", {class: "item-sub"}, workshopFacts(w, tz)),
      cancelled ? null : h("p", {class: "item-sub workshop-seats"}, seatsText(w)),
      w.description ? h("p", {class: "hint"}, w.description) : null,
      extra));
}

export function siteOf(sites, slug) {
  return sites.find((s) => s.slug === slug) || sites[0];
}

// A list answer may come bare or wrapped ({workshops: [...]}, {items: [...]}).
export function listOf(answer, key) {
  if (Array.isArray(answer)) return answer;
  return (answer && (answer[key] || answer.items)) || [];
}

// A site's courses, for the course of a workshop and the Parcours screen.
export async function siteCourses(slug) {
  return listOf(await get(`/api/courses${query({site: slug})}`), "courses");
}
