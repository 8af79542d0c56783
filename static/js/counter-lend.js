// The counter's lending (issue 31): scan the learner's pass, scan the items (a basket, each with its
// state), confirm with one tap or Enter on the empty field. Nothing is lent before the confirmation.
import {ApiError, errorMessage, get, post} from "/js/api.js";
import {moment} from "/js/desk.js";
import {h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {lendBasket} from "/js/counter-send.js";
import {passHolder} from "/js/people.js";

// Refusals a return time chosen at the desk answers: the learner's quota (a group's three laptops)
// and a walk-up while the site is closed. The line then says the desk set the time.
const DESK_DUE_ANSWERS = new Set(["quota_exceeded", "due_at_required"]);

// The item behind a tag, refused with a sentence when it cannot be lent now.
async function lendableItem(tag) {
  let item;
  try {
    item = await get(`/api/tags/${encodeURIComponent(tag)}`);
  } catch (error) {
    throw new Error(error instanceof ApiError && error.status === 404 ? t("counter.unknown_tag", {tag}) : errorMessage(error));
  }
  if (item.actions.includes("check_out")) return item;
  if (item.current_booking) {
    const who = item.holder ? item.holder.name : t("desk.someone");
    throw new Error(t("counter.already_lent", {item: item.name, name: who}));
  }
  if (item.role !== "staff" && item.role !== "admin") throw new Error(t("counter.other_site", {item: item.name}));
  throw new Error(t("counter.not_lendable", {item: item.name, status: t(`status.${item.status}`)}));
}

function lineState(line) {
  if (line.plan) {
    return h("span", {class: "badge st-available"}, t("counter.ready_until", {when: moment(line.plan.due_at, line.item.timezone)}));
  }
  return h("span", {class: "badge"}, t(line.checking ? "counter.checking" : "counter.waiting_pass"));
}

function lineView(line, remove) {
  const plan = line.plan;
  const name = line.item ? line.item.name : line.tag;
  const parts = plan && plan.parts.length ? h("p", {class: "item-sub"}, t("counter.with_parts", {parts: plan.parts.map((p) => p.name).join(", ")})) : null;
  return h("li", {class: "item counter-line", "data-tag": line.tag},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, name, " ", h("span", {class: "item-sub mono"}, line.tag)),
      h("p", {class: "item-sub"}, lineState(line)),
      plan && !plan.walk_up ? h("p", {class: "item-sub"}, t("desk.has_booking")) : null,
      line.body.due_at ? h("p", {class: "item-sub counter-desk-due"}, t("counter.desk_due")) : null,
      parts),
    h("button", {type: "button", class: "counter-remove", "aria-label": t("counter.remove", {item: name}),
      onclick: () => remove(line)}, "×"));
}

// The basket: its lines in scan order, the learner, and the return time a kind's first walk-up set.
function newBasket() {
  return {learner: null, lines: [], dueByKind: {}, busy: false};
}

// Asks the server what lending this line would do (a dry run); a quota or a closed site is answered
// with the return time of the basket's other items of its kind, or the one the server suggests.
async function planLine(basket, line) {
  line.body = {tag: line.item.tag, pass: basket.learner.token};
  try {
    line.plan = await post("/api/checkouts", {...line.body, dry_run: true});
  } catch (error) {
    const due = basket.dueByKind[line.item.kind] || (error.body && error.body.suggested_due_at)
      || (line.item.walk_up && line.item.walk_up.due_at);
    if (!(error instanceof ApiError) || !DESK_DUE_ANSWERS.has(error.code) || !due) throw error;
    line.body.due_at = due;
    line.plan = await post("/api/checkouts", {...line.body, dry_run: true});
  }
  if (line.plan.walk_up && !basket.dueByKind[line.item.kind]) basket.dueByKind[line.item.kind] = line.plan.due_at;
}

function learnerView(basket) {
  if (!basket.learner) return h("p", {class: "counter-learner empty"}, t("counter.no_learner"));
  const person = basket.learner.person;
  return h("p", {class: "counter-learner"}, h("span", {class: "label"}, t("counter.learner")), " ",
    h("strong", {}, person.name), " ", h("span", {class: "mono"}, `(${person.login})`));
}

// lendDesk({say}) → {element, onCode, leave}; say(text, kind) shows one message, replacing the last.
export function lendDesk({say}) {
  const basket = newBasket();
  const learnerBox = h("div", {"aria-live": "polite"});
  const list = h("ol", {class: "list counter-basket", "aria-label": t("counter.basket")});
  const confirm = h("button", {type: "button", class: "primary wide counter-confirm", onclick: () => lend()});
  const element = h("section", {class: "counter-lend", "aria-labelledby": "h-counter-basket"},
    learnerBox, h("h2", {id: "h-counter-basket"}, t("counter.basket")), list, confirm,
    h("button", {type: "button", class: "wide", onclick: () => reset(t("counter.cleared"))}, t("counter.clear")));

  function show() {
    replace(learnerBox, learnerView(basket));
    replace(list, basket.lines.length ? basket.lines.slice().reverse().map((line) => lineView(line, removeLine))
      : h("li", {class: "empty"}, t("counter.basket_empty")));
    const ready = basket.learner && basket.lines.length && basket.lines.every((line) => line.plan);
    confirm.disabled = !ready || basket.busy;
    confirm.textContent = ready ? t("counter.confirm", {n: basket.lines.length, name: basket.learner.person.name})
      : t("counter.confirm_waiting");
  }
  function reset(message) {
    Object.assign(basket, newBasket());
    show();
    if (message) say(message, "ok");
  }
  function removeLine(line) {
    basket.lines = basket.lines.filter((other) => other !== line);
    show();
    say(t("counter.removed", {item: line.item ? line.item.name : line.tag}), "ok");
  }
  // A line the server refuses leaves the basket, with the reason.
  function drop(line, message) {
    basket.lines = basket.lines.filter((other) => other !== line);
    say(message);
    show();
  }
  async function check(line) {
    line.checking = true;
    line.plan = null;
    show();
    try {
      await planLine(basket, line);
      line.checking = false;
      show();
    } catch (error) {
      drop(line, t("counter.refused", {item: line.item.name, reason: errorMessage(error)}));
    }
  }
  // What the tag is and, once the pass is read, what lending it would do: asked while the next codes
  // are scanned, each line on its own, so a fast run of scans never waits on the server.
  async function prepare(line) {
    try {
      line.item = await lendableItem(line.tag);
    } catch (error) {
      drop(line, error.message);
      return;
    }
    say(basket.learner ? t("counter.added", {item: line.item.name}) : t("counter.added_no_learner", {item: line.item.name}), "ok");
    if (basket.learner) await check(line);
    else {
      line.checking = false;
      show();
    }
  }

  async function onPass(text) {
    let person;
    try {
      person = await passHolder(text);
    } catch (error) {
      say(errorMessage(error));
      return;
    }
    basket.learner = {token: text, person};
    basket.dueByKind = {};
    say(t("counter.learner_read", {name: person.name}), "ok");
    // Lines still being looked up are checked by their own prepare().
    const known = basket.lines.filter((line) => line.item);
    known.forEach((line) => { line.ready = check(line); });
    show();
  }

  function onTag(tag) {
    const known = basket.lines.find((line) => line.tag === tag);
    if (known) {
      say(t("counter.already_in", {item: known.item ? known.item.name : tag}), "ok");
      return;
    }
    const line = {tag, item: null, plan: null, body: {tag}, checking: true, ready: null};
    basket.lines.push(line);
    show();
    line.ready = prepare(line);
  }

  async function lend() {
    await Promise.all(basket.lines.map((line) => line.ready));
    if (basket.busy || confirm.disabled) {
      say(basket.learner ? t("counter.nothing_to_lend") : t("counter.scan_pass_first"));
      return;
    }
    basket.busy = true;
    show();
    try {
      const result = await lendBasket(basket.learner, basket.lines);
      reset();
      say(t("counter.lent", {n: result.count, name: result.name, when: moment(result.due_at, result.timezone)}), "ok");
    } catch (error) {
      basket.busy = false;
      show();
      say(error instanceof ApiError ? errorMessage(error) : error.message);
    }
  }

  async function onCode(code) {
    if (code.kind === "pass") await onPass(code.pass);
    else if (code.kind === "tag") onTag(code.tag);
    else if (code.kind === "empty") await lend();
    else say(t("counter.bad_code", {text: code.text}));
  }

  show();
  return {element, onCode, leave: () => {}};
}
