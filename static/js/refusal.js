// Why the server said no, in full: a quota's limit and the bookings that hold it; and, when the
// network is out, a way to try again rather than a dead end.
import {errorMessage} from "/js/api.js";
import {h, notice} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";

function limitText(problem, kind) {
  const what = kind ? ` (${fmt.kindLabel(kind)})` : "";
  if (problem.quota === "max_hours_per_week") return t("refusal.limit_hours", {n: problem.limit, what});
  return t(problem.limit === 1 ? "refusal.limit_one" : "refusal.limit_active", {n: problem.limit, what});
}

function heldByText(problem, count) {
  if (problem.quota === "max_hours_per_week") return t("refusal.held_week");
  return t(count === 1 ? "refusal.held_by_one" : "refusal.held_by");
}

function holdingItem(booking) {
  return h("li", {}, h("strong", {}, booking.resource_name || booking.resource), " — ",
    fmt.span(booking.starts_at, booking.ends_at));
}

// problem: a problem body ({code, quota, limit, holding, …}); kind names the material;
// bookingsHref, when given, links to the screen where the learner can cancel one.
// after: a last sentence (what the refusal means where it is shown).
export function refusalNotice(problem, {kind, bookingsHref, role = "alert", after} = {}) {
  if (problem.code !== "quota_exceeded" || problem.limit === undefined) return null;
  const holding = problem.holding || [];
  kind = kind || (holding[0] && holding[0].kind);
  return h("div", {class: "notice error refusal", role},
    h("p", {}, limitText(problem, kind)),
    holding.length ? [h("p", {}, heldByText(problem, holding.length)),
      h("ul", {class: "holding"}, holding.map(holdingItem))] : null,
    after ? h("p", {}, after) : null,
    bookingsHref ? h("p", {}, h("a", {href: bookingsHref}, t("refusal.cancel_one"))) : null);
}

// The notice for any API error: the detailed refusal when there is one, else the sentence.
export function errorNotice(error, options = {}) {
  return (error && error.body && refusalNotice({...error.body, code: error.code}, options)) || notice(errorMessage(error));
}

// An error that reaching the server again may cure (offline, server down): the message and "Réessayer".
export function retryNotice(error, retry) {
  const canRetry = !error || !error.status || error.status >= 500;
  return h("div", {class: "notice error retry", role: "alert"},
    h("p", {}, errorMessage(error)),
    canRetry ? h("button", {type: "button", class: "primary", onclick: retry}, t("refusal.retry")) : null);
}
