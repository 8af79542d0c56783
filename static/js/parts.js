// An item's parts at the desk (issue 19): tick what goes with a loan and what comes back, add and
// remove parts, record a missing one brought back later.
import {api, errorMessage, post} from "/js/api.js";
import {confirmButton, field, h, notice, replace} from "/js/dom.js";
import {moment} from "/js/desk.js";
import {listWithArticles} from "/js/grammar.js";
import {lang, t} from "/js/i18n.js";

const names = (parts) => parts.map((p) => p.name).join(", ");

// Where a part is, in words: at the desk, out with a loan, or missing (kept by whom, since when).
export function partState(part, tz) {
  const who = part.holder ? part.holder.name : t("desk.someone");
  if (part.state === "missing") return t("parts.missing", {name: who, when: moment(part.since, tz)});
  if (part.state === "lent") return t("parts.lent", {name: who});
  return t("parts.here");
}

function tick(part, checked, disabled, extra) {
  const box = h("input", {type: "checkbox", value: String(part.id), checked, disabled});
  // One text beside the box, so that a long note wraps under the name, not between its letters.
  return {part, box, label: h("label", {class: "check"}, box,
    h("span", {}, part.name, extra ? h("span", {class: "check-note"}, ` — ${extra}`) : null))};
}

// Check-out: every part at the desk ticked; one still kept by an earlier learner shown, not tickable.
// chosen(): the ids to send as `parts` (undefined for an item without parts: the server's default).
export function handOverTicks(item) {
  const parts = item.parts || [];
  const ticks = parts.map((p) => p.state === "here" ? tick(p, true, false)
    : tick(p, false, true, t("parts.not_here", {name: p.holder ? p.holder.name : t("desk.someone")})));
  const element = parts.length ? h("fieldset", {class: "parts-ticks"},
    h("legend", {}, t("parts.handed_over")), h("p", {class: "hint"}, t("parts.handed_over_hint")),
    ticks.map((x) => x.label)) : null;
  return {
    element,
    chosen: () => (parts.length ? ticks.filter((x) => x.box.checked).map((x) => x.part.id) : undefined),
    // For the confirmation: "Avec : Chargeur. Sans : Souris."
    summary(chosen) {
      if (!parts.length) return null;
      const going = parts.filter((p) => chosen.includes(p.id)), staying = parts.filter((p) => !chosen.includes(p.id));
      return h("p", {class: "hint parts-summary"}, going.length ? t("parts.with_parts", {names: names(going)}) : "",
        going.length && staying.length ? " " : "", staying.length ? t("parts.without_parts", {names: names(staying)}) : "");
    },
  };
}

// Check-in: the parts that went with this loan, ticked; unticking one names it missing.
export function comingBackTicks(item) {
  const loan = item.current_booking;
  const lent = (item.parts || []).filter((p) => p.state === "lent" && loan && p.booking === loan.id);
  const ticks = lent.map((p) => tick(p, true, false));
  const element = lent.length ? h("fieldset", {class: "parts-ticks"},
    h("legend", {}, t("parts.coming_back")), h("p", {class: "hint"}, t("parts.coming_back_hint")),
    ticks.map((x) => x.label)) : null;
  return {element, missing: () => ticks.filter((x) => !x.box.checked).map((x) => x.part.id)};
}

// The toast after a return: which parts stayed with the learner, if any ("il manque le chargeur";
// names whose gender the grammar cannot tell are listed as typed).
export function returnMessage(result) {
  const missing = result.missing_parts || [];
  if (!missing.length) return null;
  const withArticles = lang() === "fr" ? listWithArticles(missing.map((p) => p.name)) : null;
  return withArticles ? t("parts.checked_in_missing", {names: withArticles})
    : t("parts.checked_in_missing_names", {names: names(missing)});
}

function partItem(item, part, done, messages) {
  const actions = [];
  if (part.state === "missing") {
    actions.push(confirmButton(t("parts.bring_back"), t("parts.bring_back_confirm", {name: part.name}), async () => {
      try {
        await post(`/api/parts/${part.id}/return`, {});
        done(t("parts.brought_back", {name: part.name}));
      } catch (error) {
        replace(messages, notice(errorMessage(error)));
      }
    }, {class: "primary"}));
  } else if (part.state === "here") {
    actions.push(confirmButton(t("parts.remove"), t("parts.remove_confirm", {name: part.name}), async () => {
      try {
        await api("DELETE", `/api/resources/${encodeURIComponent(item.tag)}/parts/${part.id}`);
        done(t("parts.removed", {name: part.name}));
      } catch (error) {
        replace(messages, notice(errorMessage(error)));
      }
    }, {class: "danger"}));
  }
  return h("li", {class: `item part-${part.state}`},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, part.name, part.tag ? [" ", h("span", {class: "mono item-sub"}, part.tag)] : null),
      h("p", {class: "item-sub"}, partState(part, item.timezone))),
    actions.length ? h("div", {class: "item-actions"}, actions) : null);
}

function addPartForm(item, done, messages) {
  const name = h("input", {required: true, maxlength: "200", autocomplete: "off"});
  const tag = h("input", {maxlength: "40", autocomplete: "off", class: "mono"});
  const form = h("form", {class: "add-part"}, field(t("parts.name"), name), field(t("parts.tag"), tag),
    h("button", {type: "submit"}, t("parts.add")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {name: name.value.trim()};
    if (tag.value.trim()) body.tag = tag.value.trim();
    try {
      const part = await post(`/api/resources/${encodeURIComponent(item.tag)}/parts`, body);
      done(t("parts.added", {name: part.name}));
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

// The staff's card of the item's parts: each with where it is, and the form to add one.
export function partsPanel(item, done) {
  const messages = h("div", {class: "messages"});
  const parts = item.parts || [];
  return h("section", {class: "card", "aria-labelledby": "h-parts"},
    h("h2", {id: "h-parts"}, t("parts.title"), " ", h("span", {class: "count"}, `(${parts.length})`)),
    h("p", {class: "hint"}, t("parts.intro")),
    parts.length ? h("ul", {class: "list parts"}, parts.map((p) => partItem(item, p, done, messages)))
      : h("p", {class: "empty"}, t("parts.none")),
    labelLinks(item, parts),
    messages,
    addPartForm(item, done, messages));
}

// The item's own label, and its parts' that have a tag (issue 28): a sheet to print, opened apart.
function labelLinks(item, parts) {
  const tagged = parts.filter((p) => p.tag).map((p) => p.tag);
  const sheet = (tags) => `/api/labels?tags=${encodeURIComponent(tags.join(","))}`;
  return h("p", {class: "button-row"},
    h("a", {class: "button", href: sheet([item.tag]), target: "_blank", rel: "noopener"}, t("parts.item_label")),
    tagged.length ? h("a", {class: "button", href: sheet(tagged), target: "_blank", rel: "noopener"},
      t("parts.part_labels", {n: tagged.length})) : null);
}

// The custody log's part lines (tag.js historyLine): "Manquant au retour : Chargeur (gardé par Sofia)".
export function partHistoryText(m) {
  const key = {part_not_handed_over: "parts.h_not_handed_over", part_missing: "parts.h_missing",
    part_returned: "parts.h_returned"}[m.kind];
  if (!key) return null;
  return t(key, {part: m.part ? m.part.name : "", name: m.holder ? m.holder.name : t("desk.someone")});
}
