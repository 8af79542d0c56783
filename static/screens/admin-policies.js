// Booking rules (admin): a site's rules for each kind, and a unit's own rules that override them.
import {api, get, query} from "/js/api.js";
import {backToHub, messageArea} from "/js/admin-kit.js";
import {confirmButton, field, h, replace, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {latePolicyCard} from "/js/late-policy.js";
import {policyForm} from "/js/policy-form.js";
import {vocabulary} from "/js/vocabulary.js";

const {kinds: KINDS} = await vocabulary();
// The rules a kind starts with when nothing is stored (as the server's defaults).
const FALLBACK = {unit: "minutes", slot_minutes: 30, min_length: 30, max_length: 240, max_days_ahead: 14, buffer_minutes: 0,
  may_end_after_closing: false, checkout_grace_minutes: 30, max_active_bookings: null, max_hours_per_week: null, training_id: null};

// The kind's rules at the site, saved for every unit that has none of its own.
function kindForm(rules) {
  const {site, kind, messages} = rules;
  return policyForm(rules.general, rules.trainings, {
    submitLabel: t("admin2.policy.save_kind"),
    onSubmit: async (body, problem) => {
      if (problem) return messages.fail(problem);
      try {
        await api("PUT", `/api/policies/${site}/${kind}`, body);
        rules.general = body;
        messages.say(t("admin2.policy.saved_kind", {kind: fmt.kindLabel(kind)}));
        showUnit(rules);
      } catch (error) {
        messages.fail(error);
      }
    },
  });
}

// The unit's name in the list says whether it has rules of its own.
function markUnit(rules, tag) {
  const option = [...rules.unitSelect.options].find((o) => o.value === tag);
  const name = rules.units.find((u) => u.tag === tag).name;
  option.textContent = rules.overrides.has(tag) ? t("admin2.policy.unit_with_rules", {name}) : name;
}

// A unit's own rules are removed in one (confirmed) tap: it follows its kind's again.
function removeUnitButton(rules, tag, name) {
  return confirmButton(t("admin2.policy.remove_unit"), t("admin2.policy.remove_unit_confirm"), async () => {
    try {
      await api("DELETE", `/api/resources/${encodeURIComponent(tag)}/policy`);
      rules.overrides.delete(tag);
      markUnit(rules, tag);
      rules.messages.say(t("admin2.policy.removed_unit", {name}));
      showUnit(rules);
    } catch (error) {
      rules.messages.fail(error);
    }
  }, {class: "danger"});
}

// One unit's own rules: its form starts from them, or from its kind's when it has none.
function showUnit(rules) {
  const {messages, overrides} = rules;
  const tag = rules.unitSelect.value;
  if (!tag) return replace(rules.unitBox);
  const own = overrides.get(tag);
  const name = rules.units.find((u) => u.tag === tag).name;
  const form = policyForm(own || rules.general, rules.trainings, {
    submitLabel: t(own ? "admin2.policy.save_unit" : "admin2.policy.create_unit"), extra: own ? removeUnitButton(rules, tag, name) : null,
    onSubmit: async (body, problem) => {
      if (problem) return messages.fail(problem);
      try {
        await api("PUT", `/api/resources/${encodeURIComponent(tag)}/policy`, body);
        overrides.set(tag, {...body, resource: tag});
        markUnit(rules, tag);
        messages.say(t("admin2.policy.saved_unit", {name}));
        showUnit(rules);
      } catch (error) {
        messages.fail(error);
      }
    },
  });
  replace(rules.unitBox, h("p", {class: "hint"}, t(own ? "admin2.policy.unit_has_rules" : "admin2.policy.unit_follows_kind", {name})), form.element);
}

async function kindPanel(site, kind, trainings, messages) {
  const [policies, units] = await Promise.all([get(`/api/policies${query({site})}`), get(`/api/resources${query({site, kind})}`)]);
  const ofKind = policies.filter((p) => p.kind === kind);
  const overrides = new Map(ofKind.filter((p) => p.resource).map((p) => [p.resource, p]));
  // The kind's rules as saved last (`general`): a unit's own rules start from them.
  const rules = {site, kind, trainings, messages, units, overrides, general: ofKind.find((p) => !p.resource) || FALLBACK,
    unitSelect: select([["", t("admin2.policy.pick_unit")], ...units.map((u) => [u.tag,
      overrides.has(u.tag) ? t("admin2.policy.unit_with_rules", {name: u.name}) : u.name])]),
    unitBox: h("div", {})};
  const siteForm = kindForm(rules);
  rules.unitSelect.addEventListener("change", () => showUnit(rules));
  return h("div", {},
    h("section", {class: "card", "aria-labelledby": "h-pol-kind"},
      h("h2", {id: "h-pol-kind"}, t("admin2.policy.kind_rules", {kind: fmt.kindLabel(kind)})), siteForm.element),
    h("section", {class: "card", "aria-labelledby": "h-pol-unit"},
      h("h2", {id: "h-pol-unit"}, t("admin2.policy.unit_rules")), h("p", {class: "hint"}, t("admin2.policy.unit_rules_hint")),
      field(t("admin2.policy.unit_label"), rules.unitSelect), rules.unitBox));
}

export async function render(root, ctx) {
  const messages = messageArea();
  const [sites, trainings] = await Promise.all([get("/api/sites"), get("/api/trainings")]);
  const site = sites.some((s) => s.slug === ctx.query.get("site")) ? ctx.query.get("site") : sites[0].slug;
  const kind = KINDS.includes(ctx.query.get("kind")) ? ctx.query.get("kind") : KINDS[0];
  const siteSelect = select(sites.map((s) => [s.slug, s.name]), {value: site});
  const kindSelect = select(KINDS.map((k) => [k, fmt.kindLabel(k)]), {value: kind});
  const panel = h("div", {"aria-live": "polite"});
  let shown = 0;
  // The rules of the chosen site and kind, in place; an answer to an older choice is dropped.
  async function show() {
    const mine = ++shown;
    messages.clear();
    try {
      const content = await kindPanel(siteSelect.value, kindSelect.value, trainings, messages);
      if (mine === shown) replace(panel, content);
    } catch (error) {
      if (mine === shown) messages.fail(error);
    }
  }
  // The site's late-return rules (issue 31) follow the site chosen, whatever the kind.
  const late = latePolicyCard();
  siteSelect.addEventListener("change", show);
  siteSelect.addEventListener("change", () => late.refill(siteSelect.value));
  kindSelect.addEventListener("change", show);
  replace(panel, await kindPanel(site, kind, trainings, messages));
  await late.refill(site);
  root.append(backToHub(), h("h1", {}, t("admin2.policy.title")),
    h("div", {class: "card"}, field(t("admin.site"), siteSelect), field(t("admin2.policy.kind"), kindSelect)),
    messages.box, panel, late.card);
}
