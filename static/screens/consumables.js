// Stock (staff): a site's consumables, the low ones first and marked; restock, use, adjust or
// record a loss; threshold and monthly budget; a new consumable. Every change is a ledger movement.
import {errorMessage, get, patch, post, query} from "/js/api.js";
import {field, h, notice, replace, select} from "/js/dom.js";
import {number} from "/js/figures.js";
import {t} from "/js/i18n.js";
import {chosenSite, sitePicker} from "/js/site-choice.js";
import {stockError, unitShort} from "/js/stock.js";
import {ledgerSection} from "/js/stock-ledger.js";

const KINDS = ["restock", "use", "adjust", "loss"];
const UNITS = ["g", "ml", "unit"];

function amountInput(attrs = {}) {
  return h("input", {type: "number", inputmode: "numeric", min: "0", max: "10000000", step: "1", ...attrs});
}

function movementForm(item, done, messages) {
  const kind = select(KINDS.map((k) => [k, t(`consumables.kinds.${k}`)]));
  const amount = amountInput({required: true});
  const amountField = field(t("consumables.amount", {unit: unitShort(item.unit)}), amount);
  const note = h("input", {maxlength: "2000"});
  kind.addEventListener("change", () => {
    amountField.querySelector("label").textContent = t(kind.value === "adjust" ? "consumables.amount_adjust" : "consumables.amount",
      {unit: unitShort(item.unit)});
  });
  const form = h("form", {class: "consumable-move"},
    h("h3", {}, t("consumables.movement")),
    field(t("consumables.kind"), kind), amountField, field(t("consumables.note"), note),
    h("button", {type: "submit", class: "primary wide"}, t("consumables.record")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const result = await post(`/api/consumables/${item.id}/movements`,
        {kind: kind.value, quantity: Number(amount.value), note: note.value.trim()});
      const after = result.consumable;
      done(t("consumables.recorded", {quantity: number(after.quantity), unit: unitShort(after.unit), name: after.name}));
    } catch (error) {
      replace(messages, notice(stockError(error)));
    }
  });
  return form;
}

function settingsForm(item, done, messages) {
  const threshold = amountInput({required: true, value: String(item.low_threshold)});
  const budget = amountInput({min: "1", value: item.monthly_budget_per_learner ?? ""});
  const form = h("form", {class: "consumable-settings"},
    h("h3", {}, t("consumables.settings")),
    field(t("consumables.threshold"), threshold), field(t("consumables.budget"), budget),
    h("button", {type: "submit", class: "wide"}, t("consumables.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await patch(`/api/consumables/${item.id}`, {
        low_threshold: Number(threshold.value), monthly_budget_per_learner: budget.value ? Number(budget.value) : null});
      done(t("consumables.saved", {name: item.name}));
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

// One consumable: its stock in words (low ones marked), and its forms behind a disclosure.
function row(item, done, tz) {
  const unit = unitShort(item.unit);
  const ledger = ledgerSection(item, unit, tz);
  const messages = h("div", {class: "messages"});
  const facts = [t("consumables.threshold_of", {threshold: number(item.low_threshold), unit})];
  if (item.monthly_budget_per_learner) facts.push(t("consumables.budget_of", {budget: number(item.monthly_budget_per_learner), unit}));
  return h("li", {class: ["item", "consumable", item.low ? "consumable-low" : ""], "data-id": String(item.id)},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, item.name, item.low ? [" ", h("span", {class: "badge st-overdue"}, t("consumables.low"))] : null),
      h("p", {class: "item-sub consumable-quantity"}, t("consumables.quantity_of", {quantity: number(item.quantity), unit})),
      h("p", {class: "item-sub"}, facts.join(" · ")),
      h("details", {class: "consumable-actions", ontoggle: (event) => event.target.open && ledger.load()},
        h("summary", {}, t("consumables.open")),
        messages, movementForm(item, done, messages), settingsForm(item, done, messages), ledger)));
}

function createForm(site, done, messages) {
  const name = h("input", {required: true, maxlength: "200"});
  const unit = select(UNITS.map((u) => [u, t(`consumables.units.${u}`)]));
  const quantity = amountInput({value: "0"});
  const threshold = amountInput({value: "0"});
  const budget = amountInput({min: "1"});
  const form = h("form", {class: "card", "aria-labelledby": "h-new-consumable"},
    h("h2", {id: "h-new-consumable"}, t("consumables.new")),
    field(t("consumables.name"), name), field(t("consumables.unit"), unit),
    field(t("consumables.start_quantity"), quantity), field(t("consumables.threshold"), threshold),
    field(t("consumables.budget"), budget),
    h("button", {type: "submit", class: "primary wide"}, t("consumables.create")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const made = await post("/api/consumables", {
        site: site(), name: name.value.trim(), unit: unit.value, quantity: Number(quantity.value || 0),
        low_threshold: Number(threshold.value || 0), monthly_budget_per_learner: budget.value ? Number(budget.value) : null});
      done(t("consumables.created", {name: made.name}));
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  });
  return form;
}

export async function render(root, ctx) {
  const sites = await get("/api/sites");
  const site = chosenSite(sites, ctx.query.get("site"));
  const chosen = site?.slug;
  const messages = h("div", {class: "messages"});
  const done = (text) => {
    ctx.toast(text);
    ctx.render();
  };
  const items = chosen ? await get(`/api/consumables${query({site: chosen})}`) : [];
  // The low ones first: what needs ordering is what the screen is opened for.
  const sorted = [...items].sort((a, b) => Number(b.low) - Number(a.low));
  replace(root,
    h("h1", {}, t("consumables.title")),
    h("p", {class: "lead"}, t("consumables.lead")),
    h("p", {class: "lead"}, site?.name || ""),
    sitePicker(sites, site, (slug) => ctx.go(`consumables${query({site: slug})}`)),
    messages,
    sorted.length ? h("ul", {class: "list consumables"}, sorted.map((item) => row(item, done, site?.timezone)))
      : h("p", {class: "empty"}, t("consumables.none")),
    chosen ? createForm(() => chosen, done, messages) : null,
  );
}
