// "Mes réservations": current, upcoming and past, with cancel for those not yet picked up;
// the waitlist (place in the queue, leave it) and the places it freed, until the learner says OK.
import {api, errorMessage, get, post} from "/js/api.js";
import {confirmButton, h, notice, replace, uid} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {freshlyFreed} from "/js/freed.js";
import {t} from "/js/i18n.js";
import {retryNotice} from "/js/refusal.js";
import {currentUser, isStaff} from "/js/session.js";

const ACTIVE = new Set(["confirmed", "checked_out"]);
const SCOPES = ["this", "following", "series"];

// Cancelled bookings whose time is still to come have a place of their own: they are neither
// "à venir" (nothing will happen) nor "passées" (their day has not come).
export function group(bookings, now = Date.now()) {
  const current = [], upcoming = [], cancelled = [], past = [];
  for (const b of bookings) {
    const start = Date.parse(b.starts_at), end = Date.parse(b.ends_at);
    if (b.status === "checked_out" || (ACTIVE.has(b.status) && start <= now && end > now)) current.push(b);
    else if (ACTIVE.has(b.status) && start > now) upcoming.push(b);
    else if (b.status === "cancelled" && end > now) cancelled.push(b);
    else past.push(b);
  }
  upcoming.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  cancelled.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  past.sort((a, b) => Date.parse(b.starts_at) - Date.parse(a.starts_at));
  return {current, upcoming, cancelled, past};
}

// Staff cancelling an occurrence of a series choose how far it goes; each choice asks once more.
function seriesCancel(b, onCancel) {
  return h("details", {class: "more scopes"},
    h("summary", {}, t("bookings.cancel")),
    h("div", {class: "button-row"}, SCOPES.map((scope) => {
      const label = t(`bookings.scope_${scope}`);
      return confirmButton(label, t("bookings.confirm_scope", {what: label}), () => onCancel(b, scope), {class: "danger", keep: t("screens.keep")});
    })));
}

// Why the fablab cancelled it; a closure says its own reason ("Panne de chauffage"), as the e-mail does.
function withdrawnText(b) {
  if (b.cancel_reason === "closure" && b.cancel_note) return t("withdrawn.closure_note", {reason: b.cancel_note});
  return t(`withdrawn.${b.cancel_reason}`);
}

function bookingItem(b, onCancel, offline) {
  const title = b.resource_name || b.resource;
  const actions = [];
  if (b.status === "confirmed" && !offline) {
    actions.push(b.series_id && isStaff()
      ? seriesCancel(b, onCancel)
      : confirmButton(t("bookings.cancel"), t("bookings.confirm_cancel"), () => onCancel(b, "this"), {class: "danger", keep: t("screens.keep")}));
  }
  return h("li", {class: "item"},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, title),
      h("p", {class: "item-sub"}, fmt.span(b.starts_at, b.ends_at)),
      b.away_site ? h("p", {class: "item-sub away-site"}, t("bookings.away_site", {site: b.away_site})) : null,
      h("p", {class: "item-sub"}, h("span", {class: `badge st-${b.status}`}, t(`booking_status.${b.status}`)), " ",
        b.series_id ? [h("span", {class: "badge"}, t("bookings.series")), " "] : null,
        h("span", {class: "mono"}, b.resource)),
      // Cancelled by the fablab because the item was retired or lost (issue 16 §6), or the site closed.
      b.cancel_reason ? h("p", {class: "item-sub withdrawn"}, withdrawnText(b)) : null,
      // Shortened by a closure of its first or last days (issue 28): still hers, on fewer days.
      !b.cancel_reason && b.cancel_note && b.status === "confirmed"
        ? h("p", {class: "item-sub withdrawn"}, t("withdrawn.shortened", {reason: b.cancel_note})) : null,
      // Moved by the fablab to another unit of the kind, same slot: its unit left service (issue 25).
      b.moved_from && b.status === "confirmed"
        ? h("p", {class: "item-sub moved"}, t("rebooked.moved_learner", {from: b.moved_from, to: b.resource})) : null,
      // Lent at the desk in a hand-over (issue 31): its receipt, and the return's once back.
      b.handover ? h("p", {class: "item-sub receipts"},
        h("a", {href: b.handover.receipt, target: "_blank", rel: "noopener"}, t("agreement.receipt")),
        b.status === "returned" ? [" · ", h("a", {href: b.handover.return_receipt, target: "_blank", rel: "noopener"},
          t("agreement.return_receipt"))] : null) : null,
    ),
    actions.length ? h("div", {class: "item-actions"}, actions) : null,
  );
}

function section(titleKey, list, emptyKey, onCancel, offline, title = t(`bookings.${titleKey}`)) {
  return h("section", {class: "group", "aria-labelledby": `h-${titleKey}`},
    h("h2", {id: `h-${titleKey}`}, title, " ", h("span", {class: "count"}, `(${list.length})`)),
    list.length ? h("ul", {class: "list"}, list.map((b) => bookingItem(b, onCancel, offline))) : h("p", {class: "empty"}, t(`bookings.${emptyKey}`)));
}

// What the entry waits for: one unit by its name, or any unit of the kind.
function wishTitle(entry) {
  return entry.resource ? (entry.resource_name || entry.resource) : t(`book.any_${entry.kind}`);
}

function waitingItem(entry, onLeave, offline) {
  return h("li", {class: "item"},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, wishTitle(entry)),
      h("p", {class: "item-sub"}, fmt.span(entry.starts_at, entry.ends_at)),
      h("p", {class: "item-sub"}, h("span", {class: "badge st-waiting"}, t("bookings.position", {n: entry.position}))),
      entry.skip_reason ? h("p", {class: "hint"}, t("bookings.skipped", {reason: t(`errors.${entry.skip_reason}`)})) : null,
    ),
    offline ? null : h("div", {class: "item-actions"},
      confirmButton(t("bookings.leave"), t("bookings.leave_confirm"), () => onLeave(entry), {class: "danger"})),
  );
}

function waitlistSection(waiting, onLeave, offline) {
  return h("section", {class: "group", "aria-labelledby": "h-waitlist"},
    h("h2", {id: "h-waitlist"}, t("bookings.waitlist"), " ", h("span", {class: "count"}, `(${waiting.length})`)),
    waiting.length ? h("ul", {class: "list"}, waiting.map((e) => waitingItem(e, onLeave, offline)))
      : h("p", {class: "empty"}, t("bookings.waitlist_none")));
}

// Parts that did not come back with an item (issue 19): what, from which item, since when.
function missingPartsSection(parts) {
  return h("section", {class: "group", "aria-labelledby": "h-missing-parts"},
    h("h2", {id: "h-missing-parts"}, t("parts.mine"), " ", h("span", {class: "count"}, `(${parts.length})`)),
    h("p", {class: "hint"}, t("parts.mine_hint")),
    h("ul", {class: "list"}, parts.map((p) => h("li", {class: "item part-missing"},
      h("div", {class: "item-main"},
        h("p", {class: "item-title"}, p.name, p.tag ? [" ", h("span", {class: "mono item-sub"}, p.tag)] : null),
        h("p", {class: "item-sub"}, t("parts.of_item", {item: p.resource_name || p.resource}), " ",
          h("span", {class: "mono"}, p.resource)),
        h("p", {class: "item-sub"}, t("parts.since", {when: fmt.moment(p.missing_since)})))))));
}

// A place the waitlist booked for the learner, shown until they tap OK.
function freedNotice(entry, onSeen) {
  const textId = uid("freed");
  const b = entry.booking;
  const box = h("div", {class: "notice ok freed", role: "status"},
    h("p", {id: textId}, t("bookings.freed", {name: b.resource_name || b.resource, when: fmt.span(b.starts_at, b.ends_at)})));
  const ok = h("button", {type: "button", "aria-describedby": textId, onclick: () => onSeen(entry, box, ok)}, t("bookings.freed_ok"));
  box.append(ok);
  return box;
}

// The learner's actions on the list: each says what went wrong in `messages`, else draws the list again.
function listActions(ctx, messages) {
  const say = (error) => replace(messages, notice(errorMessage(error)));
  return {
    async cancel(b, scope) {
      try {
        if (scope === "this") {
          await post(`/api/bookings/${b.id}/cancel`);
          ctx.toast(t("bookings.cancelled"));
        } else {
          const done = await post(`/api/bookings/${b.id}/cancel`, {scope});
          ctx.toast(t("bookings.cancelled_n", {n: done.cancelled.length}));
        }
        ctx.render();
      } catch (error) {
        say(error);
      }
    },
    async leave(entry) {
      try {
        await api("DELETE", `/api/waitlist/${entry.id}`);
        ctx.toast(t("bookings.left"));
        ctx.render();
      } catch (error) {
        say(error);
      }
    },
    async seen(entry, box, button) {
      button.disabled = true;
      try {
        await post(`/api/waitlist/${entry.id}/seen`);
        box.remove();
      } catch (error) {
        button.disabled = false;
        say(error);
      }
    },
  };
}

// A learner may borrow at another site's desk (issue 28, minor i): such a loan, or a booking there, names
// its site, where it is picked up and brought back ("Portable 05" alone read as one of their own site's).
function markAwaySites(list, sites) {
  const home = currentUser()?.site;
  if (!home) return;
  for (const b of list) {
    if (b.site && b.site !== home) b.away_site = (sites.find((s) => s.slug === b.site) || {}).name || b.site;
  }
}

export async function render(root, ctx) {
  // Asked at the same time; the waitlist is a bonus: without it the bookings still show.
  const waitlistAsked = get("/api/waitlist?mine=true").catch(() => null);
  const partsAsked = get("/api/me/missing-parts").catch(() => null);
  const handoversAsked = get("/api/handovers").catch(() => []);
  const sitesAsked = get("/api/sites").catch(() => []);
  let result;
  try {
    result = await api("GET", "/api/bookings?mine=true", undefined, {withMeta: true});
  } catch (error) {
    replace(root, h("h1", {}, t("bookings.title")), retryNotice(error, () => ctx.render()));
    return;
  }
  const list = Array.isArray(result.data) ? result.data : (result.data.bookings || []);
  for (const handover of await handoversAsked) {
    for (const id of handover.bookings) {
      const booking = list.find((b) => b.id === id);
      if (booking) booking.handover = handover;
    }
  }
  markAwaySites(list, await sitesAsked);
  const entries = await waitlistAsked;
  const missingParts = await partsAsked;
  const messages = h("div", {class: "messages"});
  const {cancel, leave, seen} = listActions(ctx, messages);
  const groups = group(list);
  const waiting = (entries || []).filter((e) => e.status === "waiting");
  const freed = freshlyFreed(entries);
  replace(root,
    h("h1", {}, t("bookings.title")),
    result.offline ? notice(t("app.offline_copy"), "ok") : null,
    messages,
    result.offline ? null : freed.map((e) => freedNotice(e, seen)),
    h("p", {}, h("a", {class: "button primary", href: ctx.href("book")}, t("bookings.new"))),
    missingParts && missingParts.length ? missingPartsSection(missingParts) : null,
    section("current", groups.current, "none_current", cancel, result.offline),
    section("upcoming", groups.upcoming, "none_upcoming", cancel, result.offline),
    entries ? waitlistSection(waiting, leave, result.offline) : null,
    groups.cancelled.length ? section("cancelled", groups.cancelled, "none_past", cancel, result.offline, t("bookings2.cancelled")) : null,
    section("past", groups.past, "none_past", cancel, result.offline),
  );
}
