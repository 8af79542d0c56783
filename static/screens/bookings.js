// "Mes réservations": current, upcoming and past, with cancel for those not yet picked up.
import {api, errorMessage, post} from "/js/api.js";
import {confirmButton, h, notice, replace} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";

const ACTIVE = new Set(["confirmed", "checked_out"]);

export function group(bookings, now = Date.now()) {
  const current = [], upcoming = [], past = [];
  for (const b of bookings) {
    const start = Date.parse(b.starts_at), end = Date.parse(b.ends_at);
    if (b.status === "checked_out" || (ACTIVE.has(b.status) && start <= now && end > now)) current.push(b);
    else if (ACTIVE.has(b.status) && start > now) upcoming.push(b);
    else past.push(b);
  }
  upcoming.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  past.sort((a, b) => Date.parse(b.starts_at) - Date.parse(a.starts_at));
  return {current, upcoming, past};
}

function bookingItem(b, onCancel, offline) {
  const title = b.resource_name || b.resource;
  const actions = [];
  if (b.status === "confirmed" && !offline) {
    actions.push(confirmButton(t("bookings.cancel"), t("bookings.confirm_cancel"), () => onCancel(b), {class: "danger"}));
  }
  return h("li", {class: "item"},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, title),
      h("p", {class: "item-sub"}, fmt.span(b.starts_at, b.ends_at)),
      h("p", {class: "item-sub"}, h("span", {class: `badge st-${b.status}`}, t(`booking_status.${b.status}`)), " ",
        h("span", {class: "mono"}, b.resource)),
    ),
    actions.length ? h("div", {class: "item-actions"}, actions) : null,
  );
}

function section(titleKey, list, emptyKey, onCancel, offline) {
  return h("section", {class: "group", "aria-labelledby": `h-${titleKey}`},
    h("h2", {id: `h-${titleKey}`}, t(`bookings.${titleKey}`), " ", h("span", {class: "count"}, `(${list.length})`)),
    list.length ? h("ul", {class: "list"}, list.map((b) => bookingItem(b, onCancel, offline))) : h("p", {class: "empty"}, t(`bookings.${emptyKey}`)));
}

export async function render(root, ctx) {
  let result;
  try {
    result = await api("GET", "/api/bookings?mine=true", undefined, {withMeta: true});
  } catch (error) {
    replace(root, h("h1", {}, t("bookings.title")), notice(errorMessage(error)));
    return;
  }
  const list = Array.isArray(result.data) ? result.data : (result.data.bookings || []);
  const messages = h("div", {class: "messages"});

  async function cancel(b) {
    try {
      await post(`/api/bookings/${b.id}/cancel`);
      ctx.toast(t("bookings.cancelled"));
      ctx.render();
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  }

  const groups = group(list);
  replace(root,
    h("h1", {}, t("bookings.title")),
    result.offline ? notice(t("app.offline_copy"), "ok") : null,
    messages,
    h("p", {}, h("a", {class: "button primary", href: ctx.href("book")}, t("bookings.new"))),
    section("current", groups.current, "none_current", cancel, result.offline),
    section("upcoming", groups.upcoming, "none_upcoming", cancel, result.offline),
    section("past", groups.past, "none_past", cancel, result.offline),
  );
}
