// Numbers and dates as the reports and admin screens show them, in the chosen language.
import {locale} from "/js/i18n.js";

// 0.1758 → "18 %"; null (nothing to divide by) → "–".
export function percent(ratio) {
  if (ratio === null || ratio === undefined) return "–";
  return new Intl.NumberFormat(locale(), {style: "percent", maximumFractionDigits: 0}).format(ratio);
}

// 21.5 → "21,5"; whole numbers without decimals.
export function number(value) {
  return new Intl.NumberFormat(locale(), {maximumFractionDigits: 1}).format(value);
}

// "2026-12-25" → "25 déc. 2026" (a calendar date: no time zone shift).
export function dateWithYear(dateText) {
  return new Intl.DateTimeFormat(locale(), {day: "numeric", month: "short", year: "numeric", timeZone: "UTC"})
    .format(new Date(`${dateText}T12:00:00Z`));
}

// "2026-12-25" → "ven. 25 déc. 2026".
export function weekdayDateWithYear(dateText) {
  return new Intl.DateTimeFormat(locale(), {weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC"})
    .format(new Date(`${dateText}T12:00:00Z`));
}
