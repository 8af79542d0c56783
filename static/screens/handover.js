// Several items to one learner in one confirmation (issue 31): the learner (a scanned pass, or by
// name), the items scanned or picked from the site's free ones, each with the parts that go; then one
// confirmation showing the items, parts and return times, with the loan agreement and a signature
// field when the learner must sign. All or nothing: the server lends every item or none.
import {ApiError, errorMessage, get, post, query} from "/js/api.js";
import {field, h, notice, replace} from "/js/dom.js";
import {moment} from "/js/desk.js";
import {t} from "/js/i18n.js";
import {handOverTicks} from "/js/parts.js";
import {learnerPicker, passHolder, passToken} from "/js/people.js";
import {isPassText, scanner, tagFromText} from "/js/scanner.js";
import {currentUser} from "/js/session.js";
import {signatureField} from "/js/signature-field.js";

const PENDING_PASS = "fablab.pass";

// The items chosen so far, drawn as a list with each one's parts and a way to take it off.
function basket(onChange) {
  const chosen = [];
  const list = h("ul", {class: "list handover-items", "aria-live": "polite"});
  function draw() {
    replace(list, chosen.length ? chosen.map((entry) => h("li", {class: "item"},
      h("div", {class: "item-main"},
        h("p", {class: "item-title"}, entry.item.name, " ", h("span", {class: "mono item-sub"}, entry.item.tag)),
        entry.ticks.element),
      h("div", {class: "item-actions"}, h("button", {type: "button", class: "danger",
        "aria-label": t("agreement.remove", {tag: entry.item.tag}), onclick: () => remove(entry.item.tag)}, "✕"))))
      : h("li", {class: "empty"}, t("agreement.none_yet")));
    onChange();
  }
  function remove(tag) {
    const at = chosen.findIndex((entry) => entry.item.tag === tag);
    if (at >= 0) chosen.splice(at, 1);
    draw();
  }
  async function add(tag) {
    if (chosen.some((entry) => entry.item.tag === tag)) return;
    const item = await get(`/api/tags/${encodeURIComponent(tag)}`);
    if (!item.actions.includes("check_out")) throw new ApiError(409, "resource_unavailable", "", {});
    chosen.push({item, ticks: handOverTicks(item)});
    draw();
  }
  draw();
  return {list, add, remove, chosen, clear: () => { chosen.splice(0); draw(); },
    body: () => chosen.map((entry) => {
      const parts = entry.ticks.chosen();
      return parts ? {tag: entry.item.tag, parts} : {tag: entry.item.tag};
    })};
}

// The site's free items as buttons: a tap adds one (for a desk without a scanner at hand).
function freeItems(site, items) {
  const box = h("ul", {class: "list picks"});
  const panel = h("details", {class: "more free-items"}, h("summary", {}, t("agreement.available")), box);
  panel.addEventListener("toggle", async () => {
    if (!panel.open) return;
    try {
      const rows = await get(`/api/resources${query({site, status: "available"})}`);
      replace(box, rows.filter((row) => !row.loan && row.kind !== "room").slice(0, 40).map((row) => h("li", {},
        h("button", {type: "button", class: "pick", onclick: () => {
          panel.open = false;  // picked: the list folds away, the basket shows the item
          items.add(row.tag).catch(() => null);
        }},
          h("span", {class: "item-title"}, row.name), " ", h("span", {class: "item-sub mono"}, row.tag)))));
    } catch (error) {
      replace(box, h("li", {}, notice(errorMessage(error))));
    }
  });
  return panel;
}

// What the confirmation lists: each item, when it comes back, the parts that go with it.
function loanLines(plan, tz) {
  return h("ul", {class: "list handover-plan"}, plan.items.map((item) => h("li", {class: "item"},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, item.name, " ", h("span", {class: "mono item-sub"}, item.tag)),
      h("p", {class: "item-sub"}, t("agreement.returns_at", {when: moment(item.due_at, tz)})),
      h("p", {class: "item-sub"}, item.parts.length
        ? t("agreement.parts_list", {parts: item.parts.map((p) => p.name).join(", ")}) : t("agreement.no_parts"))))));
}

// The agreement's text and the signature field, when the learner must sign before this loan.
function agreementBlock(agreement, learner) {
  if (!agreement) return {element: null, signature: null};
  const signature = signatureField(t("agreement.sign_label", {name: learner.name}));
  const element = h("section", {class: "agreement", "aria-labelledby": "h-agreement"},
    h("h3", {id: "h-agreement"}, t("agreement.text_title", {version: agreement.version})),
    h("div", {class: "agreement-text", tabindex: "0"}, agreement.text),
    h("p", {class: "hint"}, t("agreement.sign_hint")),
    signature.element);
  return {element, signature};
}

// The one confirmation: items, parts, return times, the agreement and signature, "Prêter".
function confirmation({plan, learner, body, state}) {
  const tz = state.timezone;
  const agreement = agreementBlock(plan.agreement, learner);
  const lendButton = h("button", {type: "button", class: "primary"},
    plan.agreement ? t("agreement.lend") : t("agreement.lend_plain"));
  lendButton.addEventListener("click", () => lend({lendButton, plan, body, agreement, learner, state}));
  const refuse = plan.agreement ? h("button", {type: "button", class: "danger", onclick: () => {
    replace(state.confirmBox);
    replace(state.messages, notice(t("agreement.refused"), "ok"));
  }}, t("agreement.refuse")) : h("button", {type: "button", onclick: () => replace(state.confirmBox)}, t("desk.cancel"));
  const box = h("section", {class: "card confirm-lend", "aria-labelledby": "h-confirm-many"},
    h("h3", {id: "h-confirm-many"}, t("agreement.confirm_title")),
    h("p", {class: "question"}, plan.items.length === 1
      ? t("agreement.confirm_one", {item: plan.items[0].name, name: learner.name})
      : t("agreement.confirm_many", {count: plan.items.length, name: learner.name})),
    loanLines(plan, tz), agreement.element,
    h("div", {class: "button-row"}, lendButton, refuse));
  replace(state.confirmBox, box);
  box.scrollIntoView({block: "start"});
}

async function lend({lendButton, plan, body, agreement, learner, state}) {
  const sent = {...body};
  if (agreement.signature) {
    if (agreement.signature.isEmpty()) {
      replace(state.messages, notice(t("signature.empty")));
      return;
    }
    sent.signature = {png: agreement.signature.png()};
    sent.agreement_version = plan.agreement.version;
  }
  lendButton.disabled = true;
  try {
    const done = await post("/api/handovers", sent);
    sessionStorage.removeItem(PENDING_PASS);
    state.items.clear();
    replace(state.confirmBox);
    replace(state.messages, h("div", {class: "notice ok", role: "status"},
      h("p", {}, t("agreement.done", {count: done.items.length, name: learner.name})),
      h("p", {}, h("a", {href: done.receipt, target: "_blank", rel: "noopener", class: "button"}, t("agreement.receipt")))));
    state.messages.scrollIntoView({block: "center"});
  } catch (error) {
    lendButton.disabled = false;
    replace(state.messages, notice(errorMessage(error)));
  }
}

// <input type="datetime-local"> speaks the phone's local time, which at the desk is the site's.
function dueValue(input) {
  return input.value ? new Date(input.value).toISOString() : undefined;
}

// "Vérifier le prêt": everything checked by the server (a dry run), then the one confirmation.
async function review({learner, due, state}) {
  replace(state.messages);
  replace(state.confirmBox);
  const items = state.items.body();
  if (!items.length) {
    replace(state.messages, notice(t("agreement.none_yet")));
    return;
  }
  // A visiting learner of another site is named by the pass they showed (issue 28).
  const body = learner.visiting ? {pass: learner.pass, items} : {learner: learner.id, items};
  state.timezone = state.items.chosen[0].item.timezone || state.timezone;
  const dueAt = dueValue(due);
  if (dueAt) body.due_at = dueAt;
  try {
    const plan = await post("/api/handovers", {...body, dry_run: true});
    // The return time the dry run gave is the one confirmed (a walk-up's moves with the clock).
    if (!body.due_at) body.due_at = plan.due_at;
    confirmation({plan, learner, body, state});
  } catch (error) {
    replace(state.messages, notice(errorMessage(error)));
  }
}

// A scan on this screen: a pass names the learner (when none yet), anything else is an item.
function onScan(state) {
  return async (text) => {
    if (isPassText(text)) return;
    const tag = tagFromText(text);
    if (!tag) throw new ApiError(400, "unknown_tag", "", {});
    await state.items.add(tag);
  };
}

function lendingPanel(root, learner, state) {
  const due = h("input", {type: "datetime-local"});
  const reviewButton = h("button", {type: "button", class: "primary wide", onclick: () => review({learner, due, state})},
    t("agreement.review"));
  const site = learner.site || (currentUser() || {}).site;
  replace(root,
    h("h1", {}, t("agreement.title")),
    h("p", {class: "pass-owner"}, t("agreement.for_learner", {name: learner.name, login: learner.login})),
    h("section", {class: "card", "aria-labelledby": "h-items"},
      h("h2", {id: "h-items"}, t("agreement.items_title")),
      h("p", {class: "hint"}, t("agreement.items_hint")),
      scanner({label: t("agreement.item_label"), onResult: onScan(state)}),
      freeItems(site, state.items),
      state.items.list),
    field(t("agreement.due_at"), due, t("agreement.due_hint")),
    reviewButton, state.messages, state.confirmBox);
}

// Who borrows: the pass scanned before coming here, else a pass scanned or a name picked now.
async function chosenLearner(root, ctx, onChosen) {
  const userId = ctx.query.get("user");
  if (userId) {
    onChosen(await get(`/api/users/${encodeURIComponent(userId)}`));
    return;
  }
  const pending = sessionStorage.getItem(PENDING_PASS);
  if (pending) {
    try {
      onChosen(await passHolder(pending));
      return;
    } catch {
      sessionStorage.removeItem(PENDING_PASS);
    }
  }
  const messages = h("div", {class: "messages"});
  const byPass = async (text) => {
    const person = await passHolder(text);
    sessionStorage.setItem(PENDING_PASS, passToken(text));
    onChosen(person);
  };
  replace(root, h("h1", {}, t("agreement.title")),
    h("h2", {}, t("tag.by_pass")), scanner({label: t("tag.pass_label"), onResult: byPass}),
    h("h2", {}, t("tag.by_name")), learnerPicker({site: (currentUser() || {}).site, onPick: onChosen}), messages);
}

export async function render(root, ctx) {
  const state = {messages: h("div", {class: "messages"}), confirmBox: h("div", {"aria-live": "polite"}),
    timezone: "Europe/Paris"};
  await chosenLearner(root, ctx, (learner) => {
    state.items = basket(() => replace(state.confirmBox));
    lendingPanel(root, learner, state);
    // Sent here from an item's page (its loan needs the agreement): that item is the first.
    const tag = ctx.query.get("tag");
    if (tag) state.items.add(tag).catch((error) => replace(state.messages, notice(errorMessage(error))));
  });
}
