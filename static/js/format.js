// Dates and times as people read them: in the site's time zone, in the chosen language.
import {locale, t} from "/js/i18n.js";

export const DEFAULT_TZ = "Europe/Paris";

function fmt(options, tz) {
  return new Intl.DateTimeFormat(locale(), {timeZone: tz || DEFAULT_TZ, ...options});
}

export function time(iso, tz) {
  return fmt({hour: "2-digit", minute: "2-digit"}, tz).format(new Date(iso));
}

export function day(iso, tz) {
  return fmt({weekday: "long", day: "numeric", month: "long"}, tz).format(new Date(iso));
}

export function dayShort(iso, tz) {
  return fmt({weekday: "short", day: "numeric", month: "short"}, tz).format(new Date(iso));
}

export function span(startIso, endIso, tz) {
  const sameDay = ymd(startIso, tz) === ymd(endIso, tz);
  const end = sameDay ? time(endIso, tz) : `${dayShort(endIso, tz)} ${time(endIso, tz)}`;
  return `${dayShort(startIso, tz)} · ${time(startIso, tz)} – ${end}`;
}

// "2026-03-12" for an instant, as the calendar date at the site.
export function ymd(iso, tz) {
  const parts = fmt({year: "numeric", month: "2-digit", day: "2-digit"}, tz).formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

export function today(tz) {
  return ymd(new Date().toISOString(), tz);
}

export function addDays(dateText, days) {
  const d = new Date(`${dateText}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function dayLabel(dateText) {
  return new Intl.DateTimeFormat(locale(), {weekday: "short", day: "numeric", month: "short", timeZone: "UTC"})
    .format(new Date(`${dateText}T12:00:00Z`));
}

export function kindLabel(kind) {
  return t(`kinds.${kind}`);
}

export function statusLabel(status) {
  return t(`status.${status}`);
}
