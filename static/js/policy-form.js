// One set of booking rules as a form (a site's rules for a kind, or one unit's own rules).
import {field, h, select} from "/js/dom.js";
import {t} from "/js/i18n.js";

// Numbers that may be left empty: no limit.
const OPTIONAL = new Set(["max_active_bookings", "max_hours_per_week"]);
const NUMBERS = ["slot_minutes", "min_length", "max_length", "max_days_ahead", "buffer_minutes",
  "checkout_grace_minutes", "max_active_bookings", "max_hours_per_week"];

function numberInput(value, optional) {
  return h("input", {type: "number", min: "0", max: "100000", step: "1", inputmode: "numeric",
    value: value === null || value === undefined ? "" : String(value), required: !optional});
}

// policyForm(policy, trainings, {submitLabel, onSubmit(body)}) → {element, value(), problem()}.
export function policyForm(policy, trainings, {submitLabel, onSubmit, extra = null}) {
  const unit = select([["minutes", t("admin2.policy.unit_minutes")], ["days", t("admin2.policy.unit_days")]], {value: policy.unit});
  const inputs = Object.fromEntries(NUMBERS.map((name) => [name, numberInput(policy[name], OPTIONAL.has(name))]));
  const overnight = h("input", {type: "checkbox", checked: !!policy.may_end_after_closing});
  // Minors (issue 30): the youngest age that may book (empty: any); a trainer may still book for younger.
  const minAge = h("input", {type: "number", min: "1", max: "99", step: "1", inputmode: "numeric", class: "min-age",
    value: policy.min_age === null || policy.min_age === undefined ? "" : String(policy.min_age)});
  const training = select([["", t("admin2.policy.no_training")], ...trainings.map((tr) => [String(tr.id), tr.name])],
    {value: policy.training_id === null || policy.training_id === undefined ? "" : String(policy.training_id)});
  const slotField = field(t("admin2.policy.slot_minutes"), inputs.slot_minutes, t("admin2.policy.slot_hint"));
  const lengthHint = h("p", {class: "hint"});
  function syncUnit() {
    const days = unit.value === "days";
    slotField.hidden = days;
    if (days) inputs.slot_minutes.value = "1440";
    else if (inputs.slot_minutes.value === "1440") inputs.slot_minutes.value = "30";
    lengthHint.textContent = t(days ? "admin2.policy.length_days" : "admin2.policy.length_minutes");
  }
  unit.addEventListener("change", syncUnit);
  syncUnit();
  const element = h("form", {class: "policy-form"},
    field(t("admin2.policy.unit"), unit), slotField, lengthHint,
    field(t("admin2.policy.min_length"), inputs.min_length), field(t("admin2.policy.max_length"), inputs.max_length),
    field(t("admin2.policy.max_days_ahead"), inputs.max_days_ahead),
    field(t("admin2.policy.buffer_minutes"), inputs.buffer_minutes),
    field(t("admin2.policy.checkout_grace_minutes"), inputs.checkout_grace_minutes),
    h("label", {class: "check"}, overnight, " ", t("admin2.policy.may_end_after_closing")),
    field(t("admin2.policy.max_active_bookings"), inputs.max_active_bookings),
    field(t("admin2.policy.max_hours_per_week"), inputs.max_hours_per_week),
    h("p", {class: "hint"}, t("admin2.policy.empty_is_unlimited")),
    field(t("admin2.policy.training"), training),
    field(t("minors_admin.min_age"), minAge, t("minors_admin.min_age_hint")),
    h("div", {class: "button-row"}, h("button", {type: "submit", class: "primary"}, submitLabel), extra));

  const value = () => {
    const body = {unit: unit.value, may_end_after_closing: overnight.checked,
      training_id: training.value ? Number(training.value) : null,
      min_age: minAge.value.trim() === "" ? null : Number(minAge.value)};
    for (const name of NUMBERS) {
      const text = inputs[name].value.trim();
      body[name] = text === "" && OPTIONAL.has(name) ? null : Number(text);
    }
    return body;
  };
  const problem = () => {
    const body = value();
    if (body.max_length < body.min_length) return t("admin2.policy.min_over_max");
    if (body.unit === "minutes" && (body.min_length % body.slot_minutes || body.max_length % body.slot_minutes)) {
      return t("admin2.policy.not_whole_slots", {slot: body.slot_minutes});
    }
    return null;
  };
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(value(), problem());
  });
  return {element, value, problem};
}
