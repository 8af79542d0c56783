// Small helpers the desk screens share (tag page, inventory, today, counts, invites).
import * as fmt from "/js/format.js";
import {locale} from "/js/i18n.js";

// "mar. 8 déc. 18:00": a day and a time as people read them, in the site's time zone.
export function moment(iso, tz) {
  return `${fmt.dayShort(iso, tz)} ${fmt.time(iso, tz)}`;
}

// "8 déc. 2026": a date with its year, never ISO.
export function dateLong(iso, tz) {
  return new Intl.DateTimeFormat(locale(), {day: "numeric", month: "short", year: "numeric", timeZone: tz || fmt.DEFAULT_TZ})
    .format(new Date(iso));
}
