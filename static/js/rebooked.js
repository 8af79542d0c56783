// What an item leaving service did to its bookings to come (issue 25): the desk's answer to a
// damaged return, a status change or an overdue maintenance, shown on the tag page once it is
// drawn again, until the next action.
import {h} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";

let kept = null;

// The answer's `item_bookings` (null or absent: the item stays in service, nothing to say).
export function keep(tag, outcome) {
  kept = outcome ? {tag, outcome} : null;
}

function line(b, tz, extra) {
  return h("li", {class: "item"},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, b.user ? b.user.name : t("rebooked.someone")),
      h("p", {class: "item-sub"}, fmt.span(b.starts_at, b.ends_at, tz)),
      extra ? h("p", {class: "item-sub moved"}, extra) : null));
}

function group(titleKey, list, tz, extra) {
  if (!list.length) return null;
  return [h("h3", {}, t(titleKey, {n: list.length})), h("ul", {class: "list"}, list.map((b) => line(b, tz, extra(b))))];
}

// The card for this item, once: null when nothing was kept for it.
export function card(tag, tz) {
  if (!kept || kept.tag !== tag) return null;
  const {moved, withdrawn} = kept.outcome;
  kept = null;
  return h("section", {class: "card rebooked", role: "status", "aria-labelledby": "h-rebooked"},
    h("h2", {id: "h-rebooked"}, t("rebooked.title")),
    moved.length || withdrawn.length ? null : h("p", {}, t("rebooked.none")),
    group("rebooked.moved", moved, tz, (b) => t("rebooked.moved_to", {to: b.resource})),
    group("rebooked.withdrawn", withdrawn, tz, () => null));
}
