// The counter's lending (issue 31): scan the learner's pass, scan the items (a basket, each with its
// state), confirm with one tap or Enter on the empty field. Nothing is lent before the confirmation.
import {ApiError, errorMessage, get, post} from "/js/api.js";
import {moment} from "/js/desk.js";
import {h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {agreementPanel} from "/js/counter-agreement.js";
import {lendBasket, planItem} from "/js/counter-send.js";
import {passHolder, visitingNote} from "/js/people.js";

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
  if (item.role !== "staff" && item.role !== "admin") throw new Error(t("counter.other_site", {item: item.name, site: item.site_name}));
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
      line.deskDue ? h("p", {class: "item-sub counter-desk-due"}, t("counter.desk_due")) : null,
      parts),
    h("button", {type: "button", class: "counter-remove", "aria-label": t("counter.remove", {item: name}),
      onclick: () => remove(line)}, "×"));
}

// The basket: its lines in scan order, the learner, and the return time a kind's first walk-up set.
function newBasket() {
  return {learner: null, lines: [], dueByKind: {}, busy: false, agreement: null, signing: false};
}

// Asks the server what lending this line alone would do (a hand-over's dry run); a quota or a closed
// site is answered with the return time of the basket's other items of its kind.
async function planLine(basket, line, early) {
  const first = early && early.learner === basket.learner ? await early.answer : null;
  const answer = first || await planItem(basket.learner, line, basket.dueByKind[line.item.kind]
    || (line.item.walk_up && line.item.walk_up.due_at));
  Object.assign(line, {plan: answer.plan, deskDue: answer.deskDue});
  basket.agreement = answer.agreement;
  if (line.plan.walk_up && !basket.dueByKind[line.item.kind]) basket.dueByKind[line.item.kind] = line.plan.due_at;
}

function learnerView(basket) {
  if (!basket.learner) return h("p", {class: "counter-learner empty"}, t("counter.no_learner"));
  const person = basket.learner.person;
  return h("div", {class: "counter-learner"},
    h("p", {}, h("span", {class: "label"}, t("counter.learner")), " ", h("strong", {}, person.name), " ",
      h("span", {class: "mono"}, `(${person.login})`)),
    visitingNote(person) ? h("p", {class: "hint visiting"}, visitingNote(person)) : null,
    basket.agreement ? h("p", {class: "hint"}, t("counter.agreement_due", {version: basket.agreement.version})) : null);
}

// The desk's state and elements: `desk.basket`, `desk.say`, and the boxes show() redraws.
function show(desk) {
  const basket = desk.basket;
  replace(desk.learnerBox, learnerView(basket));
  replace(desk.list, basket.lines.length ? basket.lines.slice().reverse().map((line) => lineView(line, (gone) => removeLine(desk, gone)))
    : h("li", {class: "empty"}, t("counter.basket_empty")));
  const ready = basket.learner && basket.lines.length && basket.lines.every((line) => line.plan);
  desk.confirm.disabled = !ready || basket.busy;
  desk.confirm.hidden = basket.signing;  // the agreement's own button lends
  desk.confirm.textContent = ready ? t("counter.confirm", {n: basket.lines.length, name: basket.learner.person.name})
    : t("counter.confirm_waiting");
}

function reset(desk, message) {
  desk.basket = newBasket();
  replace(desk.agreementBox);
  show(desk);
  if (message) desk.say(message, "ok");
}

// The basket changed while the agreement was shown: its list of items is no longer the one to sign.
function stopSigning(desk) {
  desk.basket.signing = false;
  desk.confirm.hidden = false;
  replace(desk.agreementBox);
}

function removeLine(desk, line) {
  stopSigning(desk);
  desk.basket.lines = desk.basket.lines.filter((other) => other !== line);
  show(desk);
  desk.say(t("counter.removed", {item: line.item ? line.item.name : line.tag}), "ok");
}

// A line the server refuses leaves the basket, with the reason.
function drop(desk, line, message) {
  desk.basket.lines = desk.basket.lines.filter((other) => other !== line);
  desk.say(message);
  show(desk);
}

async function check(desk, line, early = null) {
  Object.assign(line, {checking: true, plan: null, deskDue: null});
  show(desk);
  try {
    await planLine(desk.basket, line, early);
    line.checking = false;
    show(desk);
  } catch (error) {
    drop(desk, line, t("counter.refused", {item: line.item.name, reason: errorMessage(error)}));
  }
}

// What the tag is and, once the pass is read, what lending it would do: asked while the next codes
// are scanned, each line on its own, so a fast run of scans never waits on the server.
async function prepare(desk, line) {
  // The dry run goes with the item's lookup, not after it; one refused here (a quota) is asked again
  // once the item's kind is known.
  const learner = desk.basket.learner;
  const early = learner ? {learner, answer: planItem(learner, line, null).catch(() => null)} : null;
  try {
    line.item = await lendableItem(line.tag);
  } catch (error) {
    drop(desk, line, error.message);
    return;
  }
  desk.say(t(desk.basket.learner ? "counter.added" : "counter.added_no_learner", {item: line.item.name}), "ok");
  if (desk.basket.learner) {
    await check(desk, line, early);
  } else {
    line.checking = false;
    show(desk);
  }
}

async function onPass(desk, text) {
  let person;
  try {
    person = await passHolder(text);
  } catch (error) {
    desk.say(errorMessage(error));
    return;
  }
  stopSigning(desk);
  Object.assign(desk.basket, {learner: {token: text, person}, dueByKind: {}, agreement: null});
  desk.say(t("counter.learner_read", {name: person.name}), "ok");
  // Lines still being looked up are checked by their own prepare().
  desk.basket.lines.filter((line) => line.item).forEach((line) => { line.ready = check(desk, line); });
  show(desk);
}

function onTag(desk, tag) {
  const known = desk.basket.lines.find((line) => line.tag === tag);
  if (known) {
    desk.say(t("counter.already_in", {item: known.item ? known.item.name : tag}), "ok");
    return;
  }
  stopSigning(desk);
  const line = {tag, item: null, plan: null, deskDue: null, checking: true, ready: null};
  desk.basket.lines.push(line);
  show(desk);
  line.ready = prepare(desk, line);
}

// The hand-over's answer: lent (the basket empties, the receipt at hand), an agreement to sign
// first, or a refusal that names its item (nothing was lent).
function lent(desk, result) {
  const receipt = result.receipt ? h("a", {href: result.receipt, target: "_blank", rel: "noopener"}, t("counter.receipt")) : null;
  const timezone = desk.basket.lines.length ? desk.basket.lines[0].item.timezone : undefined;
  const text = t("counter.lent", {n: result.items.length, name: result.holder.name, when: moment(result.due_at, timezone)});
  reset(desk);
  desk.say([text, " ", receipt], "ok");
}

function refused(desk, error) {
  const named = error instanceof ApiError && error.body && desk.basket.lines.find((line) => line.tag === error.body.item);
  const reason = error instanceof ApiError ? errorMessage(error) : t("errors.unexpected");
  desk.say(named ? t("counter.refused", {item: named.item.name, reason}) : reason);
}

function askSignature(desk, problem) {
  const basket = desk.basket;
  basket.signing = true;
  replace(desk.agreementBox, agreementPanel({agreement: problem.agreement, items: problem.items,
    learner: basket.learner.person, timezone: basket.lines[0].item.timezone,
    onSign: (signed) => send(desk, signed),
    onRefuse: () => reset(desk, t("counter.refused_to_sign"))}));
  show(desk);
  desk.agreementBox.scrollIntoView({block: "start"});
  desk.say(t("counter.sign_first"));
}

async function send(desk, extra) {
  desk.basket.busy = true;
  show(desk);
  try {
    lent(desk, await lendBasket(desk.basket.learner, desk.basket.lines, extra));
  } catch (error) {
    desk.basket.busy = false;
    show(desk);
    if (error instanceof ApiError && error.code === "agreement_required") askSignature(desk, error.body);
    else refused(desk, error);
  }
}

async function lend(desk) {
  await Promise.all(desk.basket.lines.map((line) => line.ready));
  const basket = desk.basket;
  if (basket.signing) desk.say(t("counter.sign_first"));
  else if (basket.busy || desk.confirm.disabled) desk.say(t(basket.learner ? "counter.nothing_to_lend" : "counter.scan_pass_first"));
  else await send(desk, {});
}

async function onCode(desk, code) {
  if (code.kind === "pass") await onPass(desk, code.pass);
  else if (code.kind === "tag") onTag(desk, code.tag);
  else if (code.kind === "empty") await lend(desk);
  else desk.say(t("counter.bad_code", {text: code.text}));
}

// lendDesk({say}) → {element, onCode, leave}; say(text, kind) shows one message, replacing the last.
export function lendDesk({say}) {
  const desk = {basket: newBasket(), say, learnerBox: h("div", {"aria-live": "polite"}), agreementBox: h("div", {}),
    list: h("ol", {class: "list counter-basket", "aria-label": t("counter.basket")})};
  desk.confirm = h("button", {type: "button", class: "primary wide counter-confirm", onclick: () => lend(desk)});
  const element = h("section", {class: "counter-lend", "aria-labelledby": "h-counter-basket"},
    desk.learnerBox, h("h2", {id: "h-counter-basket"}, t("counter.basket")), desk.list, desk.confirm, desk.agreementBox,
    h("button", {type: "button", class: "wide", onclick: () => reset(desk, t("counter.cleared"))}, t("counter.clear")));
  show(desk);
  return {element, onCode: (code) => onCode(desk, code), leave: () => {}};
}
