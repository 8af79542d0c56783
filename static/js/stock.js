// Words for consumables shared by the stock screen, the desk and the reports: units, a short stock.
import {ApiError, errorMessage} from "/js/api.js";
import {number} from "/js/figures.js";
import {t} from "/js/i18n.js";

export const unitShort = (unit) => t(`consumables.unit_short.${unit}`);

// The sentence for a refusal: a short stock says how much is left.
export function stockError(error) {
  if (error instanceof ApiError && error.code === "insufficient_stock" && error.body) {
    return t("consumables.short", {available: number(error.body.available), unit: unitShort(error.body.unit), name: error.body.name});
  }
  return errorMessage(error);
}

// 125 → "2 h 5 min"; 40 → "40 min".
export function durationText(minutes) {
  if (minutes === null || minutes === undefined) return "–";
  if (minutes < 60) return t("consumables.duration_min", {n: minutes});
  return t("consumables.duration_h", {h: Math.floor(minutes / 60), m: minutes % 60});
}

// The site's consumables that fit this printer: those whose name holds one of its materials ("PLA
// noir" for a PLA printer; no resin for it). A printer with no materials written, or none matching,
// gets every consumable rather than none.
export function fitting(consumables, materials) {
  const words = (materials || []).map((m) => m.toLocaleLowerCase("fr"));
  const fit = consumables.filter((c) => c.name.toLocaleLowerCase("fr").split(/[\s,;/()-]+/).some((w) => words.includes(w)));
  return fit.length ? fit : consumables;
}
