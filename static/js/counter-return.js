// The counter's returns (issue 31): each scanned tag is taken back as "bon état" a few seconds later,
// unless staff change its condition or undo it meanwhile; Enter on the empty field takes every
// waiting one back at once.
import {ApiError, errorMessage, get, post} from "/js/api.js";
import {h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import * as rebooked from "/js/rebooked.js";

export const RETURN_WINDOW_S = 5;
const CONDITIONS = ["ok", "damaged", "incomplete"];

// The item behind a tag, refused with a sentence when it is not out.
async function returnableItem(tag) {
  let item;
  try {
    item = await get(`/api/tags/${encodeURIComponent(tag)}`);
  } catch (error) {
    throw new Error(error instanceof ApiError && error.status === 404 ? t("counter.unknown_tag", {tag}) : errorMessage(error));
  }
  if (item.actions.includes("check_in")) return item;
  if (item.role !== "staff" && item.role !== "admin") throw new Error(t("counter.other_site", {item: item.name, site: item.site_name}));
  throw new Error(t("counter.not_out", {item: item.name}));
}

function waitingView(line, act) {
  const choices = CONDITIONS.map((condition) => h("button", {type: "button", class: "counter-condition",
    "aria-pressed": String(line.condition === condition), onclick: () => act.choose(line, condition)}, t(`condition.${condition}`)));
  line.countdown = h("p", {class: "item-sub counter-countdown"}, countdownText(line));
  return [
    line.countdown,
    h("div", {class: "button-row counter-conditions", role: "group", "aria-label": t("counter.condition_of", {item: line.item.name})}, choices),
    h("div", {class: "button-row"},
      h("button", {type: "button", class: "primary", onclick: () => act.commit(line)}, t("counter.back_now")),
      h("button", {type: "button", onclick: () => act.undo(line)}, t("counter.undo"))),
    detailed(line.item) ? h("button", {type: "button", class: "link", onclick: () => act.detail(line)}, t("counter.detail")) : null,
  ];
}

// A printer's filament and an item's parts are noted on the item's own page (tag.js), not here.
const detailed = (item) => item.kind === "printer_3d" || Boolean(item.parts && item.parts.length);

function countdownText(line) {
  return t(line.condition === "ok" ? "counter.back_in" : "counter.back_in_as", {s: line.left, condition: t(`condition.${line.condition}`)});
}

function stateView(line, act) {
  if (line.state === "waiting") return waitingView(line, act);
  if (line.state === "sending") return h("p", {class: "item-sub"}, h("span", {class: "badge"}, t("counter.sending")));
  if (line.state === "failed") return h("p", {class: "item-sub counter-failed"}, line.error);
  return h("p", {class: "item-sub"}, h("span", {class: `badge ${line.condition === "ok" ? "st-returned" : "st-maintenance"}`},
    t("counter.back_done", {condition: t(`condition.${line.condition}`)})),
  line.late ? [" ", h("span", {class: "badge st-overdue"}, t("counter.late"))] : null);
}

// Each line keeps its element, redrawn only when its own state changes (the countdown changes one
// text): a button staff are about to press never disappears under their finger.
function drawLine(line, act) {
  const who = line.item.holder ? line.item.holder.name : t("desk.someone");
  line.el = line.el || h("li", {"data-tag": line.item.tag});
  line.el.className = `item counter-line counter-${line.state}`;
  replace(line.el, h("div", {class: "item-main"},
    h("p", {class: "item-title"}, line.item.name, " ", h("span", {class: "item-sub mono"}, line.item.tag)),
    h("p", {class: "item-sub"}, t("counter.lent_to", {name: who})),
    stateView(line, act)));
  return line.el;
}

// The desk's state: its lines, its list element, `say`, the tags being looked up, the lookups.
function showList(desk) {
  if (!desk.lines.length) replace(desk.list, desk.empty);
  else if (desk.list.contains(desk.empty)) desk.empty.remove();
}

function tick(desk, line) {
  line.left -= 1;
  if (line.left <= 0) commit(desk, line);
  else line.countdown.textContent = countdownText(line);
}

function wait(desk, line) {
  clearInterval(line.timer);
  line.left = RETURN_WINDOW_S;
  line.timer = setInterval(() => tick(desk, line), 1000);
}

function choose(desk, line, condition) {
  if (line.state !== "waiting") return;
  line.condition = condition;
  wait(desk, line);  // a change gives staff the whole window again to look twice
  drawLine(line, desk.act);
}

function undo(desk, line) {
  clearInterval(line.timer);
  desk.lines.splice(desk.lines.indexOf(line), 1);
  line.el.remove();
  showList(desk);
  desk.say(t("counter.undone", {item: line.item.name}), "ok");
}

// The item's page takes this return over; the others still waiting are taken back first, as leaving
// the page would not wait for them.
async function detail(desk, line) {
  clearInterval(line.timer);
  desk.lines.splice(desk.lines.indexOf(line), 1);
  await Promise.all(waiting(desk).map((other) => commit(desk, other)));
  location.assign(`/t/${encodeURIComponent(line.item.tag)}`);
}

async function commit(desk, line) {
  if (line.state !== "waiting") return;
  clearInterval(line.timer);
  line.state = "sending";
  drawLine(line, desk.act);
  try {
    const result = await post("/api/checkins", {tag: line.item.tag, condition: line.condition});
    rebooked.keep(line.item.tag, result.item_bookings);
    Object.assign(line, {state: "done", late: result.late});
  } catch (error) {
    Object.assign(line, {state: "failed", error: t("counter.refused", {item: line.item.name, reason: errorMessage(error)})});
  }
  drawLine(line, desk.act);
}

// Looked up while the next codes are scanned: a fast run of scans never waits on the server.
async function onTag(desk, tag) {
  const known = desk.lines.find((line) => line.item.tag === tag && line.state === "waiting");
  if (known || desk.looking.has(tag)) {
    desk.say(t("counter.already_in", {item: known ? known.item.name : tag}), "ok");
    return;
  }
  let item;
  desk.looking.add(tag);
  try {
    item = await returnableItem(tag);
  } catch (error) {
    desk.say(error.message);
    return;
  } finally {
    desk.looking.delete(tag);
  }
  const line = {item, condition: "ok", state: "waiting", left: RETURN_WINDOW_S, timer: null};
  desk.lines.push(line);
  wait(desk, line);
  desk.list.prepend(drawLine(line, desk.act));
  showList(desk);
  desk.say(t("counter.back_scanned", {item: item.name}), "ok");
}

const waiting = (desk) => desk.lines.filter((line) => line.state === "waiting");

async function onCode(desk, code) {
  if (code.kind === "tag") {
    desk.lookups.push(onTag(desk, code.tag));
  } else if (code.kind === "empty") {
    // Enter after a run of scans: the items still being looked up go too.
    await Promise.all(desk.lookups.splice(0));
    await Promise.all(waiting(desk).map((line) => commit(desk, line)));
  } else {
    desk.say(code.kind === "pass" ? t("counter.pass_in_return") : t("counter.bad_code", {text: code.text}));
  }
}

// returnDesk({say}) → {element, onCode, leave}: leave() takes back at once what still waits.
export function returnDesk({say}) {
  const desk = {lines: [], say, looking: new Set(), lookups: [],
    list: h("ol", {class: "list counter-basket", "aria-label": t("counter.returns")}),
    empty: h("li", {class: "empty"}, t("counter.returns_empty"))};
  desk.act = {choose: (line, condition) => choose(desk, line, condition), undo: (line) => undo(desk, line),
    commit: (line) => commit(desk, line), detail: (line) => detail(desk, line)};
  const element = h("section", {class: "counter-return", "aria-labelledby": "h-counter-returns"},
    h("h2", {id: "h-counter-returns"}, t("counter.returns")),
    h("p", {class: "hint"}, t("counter.return_hint", {s: RETURN_WINDOW_S})), desk.list);
  showList(desk);
  return {element, onCode: (code) => onCode(desk, code), leave: () => waiting(desk).forEach((line) => commit(desk, line))};
}
