// Dates and times as people read them: in the site's time zone, in the chosen language. The one
// place for date and time formatting: "25 déc. 2026", "mer. 2 déc. · 09:00 – 18:00", never ISO
// text or seconds. The year is shown only when it is not this year's.
import {locale, t} from "/js/i18n.js";

export const DEFAULT_TZ = "Europe/Paris";

function fmt(options, tz) {
  return new Intl.DateTimeFormat(locale(), {timeZone: tz || DEFAULT_TZ, ...options});
}

// A calendar date ("2026-12-25") as an instant at noon UTC: the same day in every time zone.
function noon(dateText) {
  return new Date(`${String(dateText).slice(0, 10)}T12:00:00Z`);
}

function isDateText(value) {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

function withYear(options, yearOf, tz) {
  return yearOf === ymd(new Date().toISOString(), tz).slice(0, 4) ? options : {...options, year: "numeric"};
}

// "09:30"
export function time(iso, tz) {
  return fmt({hour: "2-digit", minute: "2-digit"}, tz).format(new Date(iso));
}

// "mercredi 2 décembre"
export function day(iso, tz) {
  return fmt(withYear({weekday: "long", day: "numeric", month: "long"}, ymd(iso, tz).slice(0, 4), tz), tz)
    .format(new Date(iso));
}

// "mer. 2 déc."
export function dayShort(iso, tz) {
  return fmt(withYear({weekday: "short", day: "numeric", month: "short"}, ymd(iso, tz).slice(0, 4), tz), tz)
    .format(new Date(iso));
}

// "mer. 2 déc. · 09:00 – 18:00", or "mar. 1 déc. · 09:30 – mer. 2 déc. 17:00" over several days.
export function span(startIso, endIso, tz) {
  const sameDay = ymd(startIso, tz) === ymd(endIso, tz);
  const end = sameDay ? time(endIso, tz) : `${dayShort(endIso, tz)} ${time(endIso, tz)}`;
  return `${dayShort(startIso, tz)} · ${time(startIso, tz)} – ${end}`;
}

// "mar. 8 déc. 18:00": a deadline (a loan's return, an invite's expiry).
export function moment(iso, tz) {
  return `${dayShort(iso, tz)} ${time(iso, tz)}`;
}

// "25 déc. 2026", for a calendar date ("2026-12-25") or an instant: always with its year, for
// dates that stand alone (closures, holidays, counts, expiry).
export function date(value, tz) {
  if (isDateText(value)) {
    return new Intl.DateTimeFormat(locale(), {day: "numeric", month: "short", year: "numeric", timeZone: "UTC"})
      .format(noon(value));
  }
  return fmt({day: "numeric", month: "short", year: "numeric"}, tz).format(new Date(value));
}

// "25 déc. 2026", or "24 déc. 2026 – 2 janv. 2027" for a range of calendar dates (both included).
export function dateRange(first, last, tz) {
  const from = date(first, tz);
  const to = date(last || first, tz);
  return from === to ? from : `${from} – ${to}`;
}

// "2026-03-12" for an instant, as the calendar date at the site (for the API, never for people).
export function ymd(iso, tz) {
  const parts = fmt({year: "numeric", month: "2-digit", day: "2-digit"}, tz).formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

// "18:30", the time now at the site on a 24-hour clock, to compare with opening hours (never shown).
export function clockNow(tz) {
  return new Intl.DateTimeFormat("en-GB", {timeZone: tz || DEFAULT_TZ, hour: "2-digit", minute: "2-digit", hourCycle: "h23"})
    .format(new Date());
}

export function today(tz) {
  return ymd(new Date().toISOString(), tz);
}

export function addDays(dateText, days) {
  const d = noon(dateText);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// "mer. 2 déc." for a calendar date ("2026-12-02").
export function dayLabel(dateText) {
  const options = withYear({weekday: "short", day: "numeric", month: "short"}, String(dateText).slice(0, 4));
  return new Intl.DateTimeFormat(locale(), {...options, timeZone: "UTC"}).format(noon(dateText));
}

export function kindLabel(kind) {
  return t(`kinds.${kind}`);
}

export function statusLabel(status) {
  return t(`status.${status}`);
}

// A site's name for its slug ("vlg" → "Villeneuve-la-Garenne"): people never see the slug.
export function siteName(slug, sites) {
  const site = (sites || []).find((s) => s.slug === slug);
  return site ? site.name : slug;
}
