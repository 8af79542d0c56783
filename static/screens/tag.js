// The page a label's QR opens (/t/{TAG}): what the item is, who holds it, and what the viewer may do.
import {ApiError, errorMessage, get, patch, post, query} from "/js/api.js";
import {contactLinks} from "/js/contact.js";
import {confirmButton, field, h, notice, replace, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {moment} from "/js/desk.js";
import {number} from "/js/figures.js";
import {t} from "/js/i18n.js";
import {comingBackTicks, handOverTicks, partHistoryText, partsPanel, returnMessage} from "/js/parts.js";
import {maintenanceBlock} from "/js/maintenance.js";
import * as rebooked from "/js/rebooked.js";
import {learnerPicker, passHolder, visitingNote} from "/js/people.js";
import {scanner} from "/js/scanner.js";
import {isStaff} from "/js/session.js";
import {durationText, fitting, stockError, unitShort} from "/js/stock.js";

const PENDING_PASS = "fablab.pass";

// <input type="datetime-local"> speaks the phone's local time, which at the desk is the site's.
function toLocalInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// What the item is doing now, in words: lent (to whom, until when, late?) before its status.
function stateOf(item) {
  const loan = item.current_booking;
  if (loan) {
    const who = item.holder ? item.holder.name : t("desk.someone");
    return h("span", {class: "state"},
      h("span", {class: "badge st-lent"}, t("desk.lent_to", {name: who, when: moment(loan.ends_at, item.timezone)})),
      loan.overdue ? [" ", h("span", {class: "badge st-overdue"}, t("desk.overdue"))] : null);
  }
  if (item.role === "learner" && item.status === "available" && item.free_now === false) {
    return h("span", {class: "badge st-busy"}, t("tag.not_free_now"));
  }
  return h("span", {class: `badge st-${item.status}`}, fmt.statusLabel(item.status));
}

function facts(item) {
  const rows = [
    [t("tag.kind"), fmt.kindLabel(item.kind)],
    [t("tag.site"), item.site_name || item.site],
    [t("tag.status"), stateOf(item)],
  ];
  if (item.next_booking && !item.current_booking) {
    const who = item.next_booking.user ? ` — ${item.next_booking.user.name}` : "";
    rows.push([t("tag.next_booking"), fmt.span(item.next_booking.starts_at, item.next_booking.ends_at, item.timezone) + who]);
  }
  return h("dl", {class: "facts"}, rows.map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v))));
}

// The confirmation that names the learner, the return time and the parts; nothing is lent before
// "Prêter" is pressed in it.
function lendConfirmation({item, holder, plan, body, parts, done, messages, confirmBox}) {
  const tz = item.timezone;
  const name = plan.holder ? plan.holder.name : "";
  const lendButton = h("button", {type: "button", class: "primary", onclick: async () => {
    lendButton.disabled = true;
    try {
      // The very return time confirmed: the policy's walk-up time moves with the clock (slots),
      // and the dry run has just checked the rules for this one.
      const result = await post("/api/checkouts", {...body, due_at: plan.due_at});
      sessionStorage.removeItem(PENDING_PASS);
      done(t("desk.lent_done", {name: result.holder ? result.holder.name : name, when: moment(result.due_at, tz)}));
    } catch (error) {
      lendButton.disabled = false;
      replace(messages, notice(errorMessage(error)));
    }
  }}, t("desk.lend"));
  const box = h("section", {class: "card confirm-lend", "aria-labelledby": "h-confirm-lend"},
    h("h3", {id: "h-confirm-lend"}, t("desk.confirm_title")),
    holder.pass ? h("p", {class: "pass-owner"}, t("desk.pass_of", {name, login: plan.holder ? plan.holder.login : ""})) : null,
    h("p", {class: "question"}, t("desk.confirm_lend", {item: item.name, name, when: moment(plan.due_at, tz)})),
    body.parts ? parts.summary(body.parts) : null,
    plan.walk_up ? null : h("p", {class: "hint"}, t("desk.has_booking")),
    h("div", {class: "button-row"}, lendButton,
      h("button", {type: "button", onclick: () => {
        replace(confirmBox);
        replace(messages, notice(t("desk.cancelled"), "ok"));
      }}, t("desk.cancel"))));
  replace(confirmBox, box);
  box.scrollIntoView({block: "center"});
  lendButton.focus();
}

// The learner must sign the loan agreement first (issue 31): the hand-over screen shows it with
// this item, for the signature.
function agreementDetour(error, holder, item) {
  if (!(error instanceof ApiError) || error.code !== "agreement_required") return null;
  if (holder.pass) sessionStorage.setItem(PENDING_PASS, holder.pass);
  const who = holder.user ? `user=${encodeURIComponent(holder.user)}&` : "";
  return h("p", {}, h("a", {class: "button primary", href: `/#/handover?${who}tag=${encodeURIComponent(item.tag)}`},
    t("agreement.to_sign")));
}

// A pass read on the scan screen: whose it is, before the one-tap lend to it.
function pendingPass(ask) {
  const pending = sessionStorage.getItem(PENDING_PASS);
  if (!pending) return null;
  const owner = h("p", {class: "pass-owner"}, t("tag.pass_ready"));
  passHolder(pending).then((person) => replace(owner, t("desk.pass_of", {name: person.name, login: person.login}),
    visitingNote(person) ? [" ", visitingNote(person)] : null))
    .catch(() => sessionStorage.removeItem(PENDING_PASS));
  return [owner, h("button", {type: "button", class: "primary wide", onclick: () => ask({pass: pending})}, t("tag.lend_to_pass"))];
}

// A return time that runs into the item's next booking (after closing time the proposed return is the
// next opening day's close) is a 409 booking_conflict, whose general sentence ("ce créneau vient
// d'être réservé… choisissez-en un autre") means nothing at the desk: say whose booking and from when,
// and put the person on the return time to change.
function lendError(error, item, tz, due) {
  if (!(error instanceof ApiError && error.code === "booking_conflict" && item.next_booking)) return errorMessage(error);
  due.focus();
  return t("desk.due_hits_booking", {item: item.name, when: moment(item.next_booking.starts_at, tz)});
}

// Lending: the return time first (filled in), the parts that go with the item (ticked), then the
// learner by pass or by name, then the confirmation (at once when a pass was scanned before).
function checkoutPanel(item, done) {
  const tz = item.timezone;
  const messages = h("div", {class: "messages"});
  const confirmBox = h("div", {"aria-live": "polite"});
  const proposal = item.walk_up;
  const due = h("input", {type: "datetime-local", required: true, value: proposal ? toLocalInput(proposal.due_at) : ""});
  const proposed = due.value;
  const dueHint = !proposal ? t("desk.due_hint_none")
    : proposal.by_policy ? t("desk.due_hint_open")
      : t("desk.due_hint_closed", {opens: moment(proposal.opens_at, tz)});
  const parts = handOverTicks(item);

  // The policy's own walk-up time is left to the server (a booking the learner holds keeps its
  // end); a time the staff changed, or any time while closed, is sent: the staff's call.
  function dueAt() {
    if (!due.value) return undefined;
    if (proposal && proposal.by_policy && due.value === proposed) return undefined;
    return new Date(due.value).toISOString();
  }

  async function ask(holder) {
    replace(messages);
    const body = {tag: item.tag, ...holder};
    const chosenDue = dueAt();
    if (chosenDue) body.due_at = chosenDue;
    const chosenParts = parts.chosen();
    if (chosenParts) body.parts = chosenParts;
    try {
      const plan = await post("/api/checkouts", {...body, dry_run: true});
      lendConfirmation({item, holder, plan, body, parts, done, messages, confirmBox});
    } catch (error) {
      if (error instanceof ApiError && error.code === "due_at_required") due.focus();
      replace(messages, notice(lendError(error, item, tz, due)), agreementDetour(error, holder, item));
    }
  }

  // The phone's date widget may speak another language: the chosen time in French words too.
  const dueWords = h("p", {class: "due-words", "aria-live": "polite"});
  const showDue = () => replace(dueWords, due.value ? t("desk.due_words", {when: moment(new Date(due.value).toISOString(), tz)}) : "");
  due.addEventListener("input", showDue);
  showDue();
  // A pass scanned just before this item: straight to the confirmation (2 scans + 1 tap, issue 28).
  const pending = sessionStorage.getItem(PENDING_PASS);
  if (pending) ask({pass: pending});
  return h("section", {class: "card", "aria-labelledby": "h-checkout"},
    h("h2", {id: "h-checkout"}, t("tag.check_out")),
    field(t("tag.due_at"), due, dueHint), dueWords, parts.element,
    pendingPass(ask),
    h("h3", {}, t("tag.by_pass")),
    scanner({label: t("tag.pass_label"), onResult: (text) => ask({pass: text})}),
    h("h3", {}, t("tag.by_name")),
    learnerPicker({site: item.site, onPick: (person) => ask({user: person.id})}),
    messages,
    confirmBox);
}

// A printer's return (issue 19): the grams of each consumable that fits it and how the print went.
// values() is what the check-in sends; confirmed(body) asks the server first (a dry run) and, when a
// learner goes over a monthly budget, shows it and waits for staff to confirm or not.
function consumablesBlock(item) {
  if (item.kind !== "printer_3d") return {element: null, values: () => ({}), confirmed: async () => true};
  const inputs = [];
  const list = h("div", {class: "consumables-used"}, h("p", {class: "hint"}, t("desk.loading")));
  const outcome = select(["none", "success", "failed"].map((o) => [o, t(`consumables.outcomes.${o}`)]));
  const box = h("div", {"aria-live": "polite"});
  get(`/api/consumables${query({site: item.site})}`).then((rows) => {
    replace(list, fitting(rows, item.materials).map((c) => {
      const input = h("input", {type: "number", inputmode: "numeric", min: "1", max: "10000000", step: "1", "data-consumable": String(c.id)});
      inputs.push({id: c.id, input});
      // "1 000 en stock", the French way (it read "1000").
      return field(t("consumables.used_of", {name: c.name, unit: unitShort(c.unit), quantity: number(c.quantity)}), input);
    }));
  }).catch((error) => replace(list, notice(errorMessage(error))));
  const values = () => {
    const consumables = inputs.filter(({input}) => Number(input.value) > 0).map(({id, input}) => ({id, quantity: Number(input.value)}));
    return {consumables, ...(outcome.value === "none" ? {} : {outcome: outcome.value})};
  };
  async function confirmed(body) {
    replace(box);
    if (!body.consumables.length && !body.outcome) return true;
    let plan;
    try {
      plan = await post("/api/checkins", {...body, dry_run: true});
    } catch (error) {
      replace(box, notice(stockError(error)));
      return false;
    }
    const warnings = plan.consumption.warnings;
    if (!warnings.length) return true;
    return new Promise((resolve) => {
      const answer = (yes) => () => {
        replace(box);
        resolve(yes);
      };
      const go = h("button", {type: "button", class: "primary", onclick: answer(true)}, t("consumables.confirm_over"));
      replace(box, h("section", {class: "card confirm-over", role: "alert", "aria-labelledby": "h-over"},
        h("h3", {id: "h-over"}, t("consumables.confirm_title")),
        warnings.map((w) => h("p", {class: "over-budget"}, t("consumables.over_budget", {
          name: w.name, after: w.used_after, before: w.used_before, budget: w.budget, unit: unitShort(w.unit)}))),
        h("div", {class: "button-row"}, go, h("button", {type: "button", onclick: answer(false)}, t("desk.cancel")))));
      go.focus();
    });
  }
  const element = h("fieldset", {class: "consumables-block"}, h("legend", {}, t("consumables.used")),
    h("p", {class: "hint"}, t("consumables.used_hint")), list, field(t("consumables.outcome"), outcome), box);
  return {element, values, confirmed};
}

function checkinPanel(item, done, messages) {
  const condition = select([["ok", t("condition.ok")], ["damaged", t("condition.damaged")], ["incomplete", t("condition.incomplete")]]);
  const note = h("textarea", {rows: "2", maxlength: "2000"});
  const parts = comingBackTicks(item);
  const uses = consumablesBlock(item);
  const form = h("form", {class: "card", "aria-labelledby": "h-checkin"},
    h("h2", {id: "h-checkin"}, t("tag.check_in")),
    parts.element,
    field(t("tag.condition"), condition), field(t("tag.note"), note), uses.element,
    h("button", {type: "submit", class: "primary wide"}, t("tag.check_in_submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const body = {tag: item.tag, condition: condition.value, note: note.value, missing_parts: parts.missing(),
        ...uses.values()};
      if (!(await uses.confirmed(body))) return;
      const result = await post("/api/checkins", body);
      rebooked.keep(item.tag, result.item_bookings);
      done(returnMessage(result) || (result.late ? t("tag.checked_in_late") : t("tag.checked_in")));
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

const STATUS_ACTIONS = {
  maintenance_start: ["maintenance", "tag.maintenance_start"],
  maintenance_end: ["available", "tag.maintenance_end"],
  lost: ["lost", "tag.lost"],
  found: ["available", "tag.found"],
};

function statusPanel(item, actions, done, messages) {
  const wanted = actions.filter((a) => STATUS_ACTIONS[a]);
  if (!wanted.length) return null;
  const note = h("input", {maxlength: "2000"});
  return h("section", {class: "card", "aria-labelledby": "h-status"},
    h("h2", {id: "h-status"}, t("tag.other_actions")),
    field(t("tag.note"), note),
    h("div", {class: "button-row"}, wanted.map((action) => {
      const [status, key] = STATUS_ACTIONS[action];
      return confirmButton(t(key), t("tag.confirm", {action: t(key)}), async () => {
        try {
          const changed = await patch(`/api/resources/${encodeURIComponent(item.tag)}`, {status, note: note.value});
          rebooked.keep(item.tag, changed.item_bookings);
          done(t("tag.status_changed", {status: fmt.statusLabel(status)}));
        } catch (error) {
          replace(messages, notice(errorMessage(error)));
        }
      });
    })));
}

// One line of the custody log in words: "Rendu par Sofia M. — Abîmé" and its note below.
function historyLine(m, tz) {
  const holder = m.holder ? m.holder.name : t("desk.someone");
  const text = {
    check_out: () => t("desk.h_check_out", {name: holder}),
    check_in: () => t("desk.h_check_in", {name: holder, condition: t(`condition.${m.condition || "ok"}`)}),
    maintenance_start: () => t("desk.h_maintenance_start"),
    maintenance_end: () => t("desk.h_maintenance_end"),
    lost: () => t("desk.h_lost"),
    found: () => t("desk.h_found"),
    audit_seen: () => t("desk.h_audit_seen"),
    transfer: () => t("desk.h_transfer"),
    retired: () => t("desk.h_retired"),
    maintenance_done: () => t("maintenance.h_done"),
  }[m.kind] || (() => partHistoryText(m));
  const by = m.staff && m.kind !== "audit_seen" ? t("desk.h_by", {name: m.staff.name}) : "";
  const problem = (m.condition && m.condition !== "ok") || m.kind === "part_missing";
  return h("li", {class: `item history-${m.kind}${problem ? " history-problem" : ""}`},
    h("div", {class: "item-main"},
      h("p", {class: "item-sub"}, h("time", {datetime: m.at}, moment(m.at, tz)), by ? ` · ${by}` : ""),
      h("p", {class: "item-title"}, text() || m.kind),
      m.note ? h("p", {class: "history-note"}, m.note) : null));
}

function historySummary(moves) {
  const count = (kind) => moves.filter((m) => m.kind === kind).length;
  const damaged = moves.filter((m) => m.kind === "check_in" && m.condition && m.condition !== "ok").length;
  return t("desk.history_counts", {loans: count("check_out"), problems: damaged,
    maintenance: count("maintenance_start") + count("maintenance_done"), audits: count("audit_seen")});
}

function historyPanel(item) {
  const body = h("div", {"aria-live": "polite"}, h("p", {class: "hint"}, t("desk.loading")));
  get(`/api/movements${query({tag: item.tag, limit: 50})}`).then((moves) => {
    replace(body, moves.length
      ? [h("p", {class: "hint"}, historySummary(moves)), h("ol", {class: "list history"}, moves.map((m) => historyLine(m, item.timezone)))]
      : h("p", {class: "empty"}, t("desk.history_none")));
  }).catch((error) => replace(body, notice(errorMessage(error))));
  return h("section", {class: "group", "aria-labelledby": "h-history"}, h("h2", {id: "h-history"}, t("desk.history")), body);
}

// A printer's prints (issue 19): who, when, the grams, how long (check-out to return), the result.
function printLogPanel(item) {
  if (item.kind !== "printer_3d") return null;
  const body = h("div", {"aria-live": "polite"}, h("p", {class: "hint"}, t("desk.loading")));
  get(`/api/print-logs${query({tag: item.tag})}`).then((prints) => {
    replace(body, prints.length ? h("ol", {class: "list prints"}, prints.map((p) => h("li", {class: `item print-${p.outcome || "none"}`},
      h("div", {class: "item-main"},
        h("p", {class: "item-sub"}, p.returned_at ? h("time", {datetime: p.returned_at}, moment(p.returned_at, item.timezone)) : "",
          p.user ? ` · ${p.user.name}` : ""),
        h("p", {class: "item-title"}, t("consumables.print_line", {grams: p.grams, duration: durationText(p.duration_minutes)}), " ",
          h("span", {class: `badge ${p.outcome === "failed" ? "st-overdue" : "st-available"}`}, t(`consumables.print_outcome.${p.outcome || "none"}`)))))))
      : h("p", {class: "empty"}, t("consumables.prints_none")));
  }).catch((error) => replace(body, notice(errorMessage(error))));
  return h("section", {class: "group", "aria-labelledby": "h-prints"}, h("h2", {id: "h-prints"}, t("consumables.prints")), body);
}

function learnerPanel(item, ctx, messages) {
  const parts = [];
  const mine = item.my_booking;
  if (mine) {
    parts.push(h("p", {}, t("tag.your_booking", {when: fmt.span(mine.starts_at, mine.ends_at, item.timezone)}), " ",
      h("span", {class: `badge st-${mine.status}`}, t(`booking_status.${mine.status}`))));
    if (item.actions.includes("cancel_booking")) {
      parts.push(confirmButton(t("bookings.cancel"), t("bookings.confirm_cancel"), async () => {
        try {
          await post(`/api/bookings/${mine.id}/cancel`);
          ctx.toast(t("bookings.cancelled"));
          ctx.render();
        } catch (error) {
          replace(messages, notice(errorMessage(error)));
        }
      }, {class: "danger", keep: t("screens.keep")}));
    }
  } else if (item.actions.includes("book")) {
    parts.push(h("p", {}, item.free_now ? t("tag.free_now") : t("tag.not_free_now")),
      h("a", {class: "button primary wide", href: ctx.href(`book?site=${encodeURIComponent(item.site)}&kind=${item.kind}&tag=${encodeURIComponent(item.tag)}`)}, t("tag.book")));
  } else {
    parts.push(h("p", {}, t("tag.not_bookable")));
  }
  return h("section", {class: "card"}, parts);
}

// A tag nobody knows (a label of another system, a typo): say so and offer the way back.
function unknownTag(root, tag, error, ctx) {
  const known = error instanceof ApiError && error.status === 404;
  replace(root,
    h("p", {class: "eyebrow mono"}, tag),
    h("h1", {}, known ? t("desk.unknown_tag_title") : t("errors.title")),
    notice(known ? t("desk.unknown_tag", {tag}) : errorMessage(error)),
    isStaff()
      ? h("a", {class: "button primary wide", href: ctx.href("scan")}, t("desk.scan_again"))
      : h("a", {class: "button wide", href: ctx.href("")}, t("nav.home")));
}

export async function render(root, ctx) {
  const tag = ctx.params.tag.toUpperCase();
  let item;
  try {
    item = await get(`/api/tags/${encodeURIComponent(tag)}`);
  } catch (error) {
    unknownTag(root, tag, error, ctx);
    return;
  }
  const messages = h("div", {class: "messages"});
  const done = (text) => {
    ctx.toast(text);
    ctx.render();
  };
  const body = [];
  if (!item.role) {
    body.push(h("section", {class: "card"},
      h("p", {}, t("tag.anonymous")),
      h("a", {class: "button primary wide", href: ctx.href(`login?next=${encodeURIComponent(`/t/${item.tag}`)}`)}, t("tag.log_in")),
      item.contact ? h("p", {class: "hint"}, t("tag.found_it"), " ", contactLinks(item.contact)) : null));
  } else if (item.role === "learner") {
    body.push(learnerPanel(item, ctx, messages));
  } else {
    if (item.actions.includes("check_out")) body.push(checkoutPanel(item, done));
    if (item.actions.includes("check_in")) body.push(checkinPanel(item, done, messages));
    body.push(partsPanel(item, done));
    body.push(statusPanel(item, item.actions, done, messages));
    body.push(maintenanceBlock(item, done));
    body.push(h("p", {}, h("a", {class: "button wide", href: ctx.href("scan")}, t("tag.scan_another"))));
    body.push(historyPanel(item));
    body.push(printLogPanel(item));
  }
  // Staff of another site see the learner's view: they are told why where they look, under the name.
  const otherSite = isStaff() && item.role === "learner"
    ? h("div", {class: "notice other-site", role: "status"}, h("p", {}, t("tag.other_site_staff", {site: item.site_name}))) : null;
  replace(root,
    h("p", {class: "eyebrow mono"}, item.tag),
    h("h1", {}, item.name),
    item.scanned_part ? h("p", {class: "notice ok scanned-part", role: "status"}, t("parts.scanned_part", {name: item.scanned_part})) : null,
    otherSite,
    facts(item),
    messages,
    rebooked.card(item.tag, item.timezone),
    body,
  );
}
