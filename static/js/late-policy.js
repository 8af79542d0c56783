// A site's late-return rules (admin, issue 31): grace, strikes within a period, suspension length.
import {messageArea} from "/js/admin-kit.js";
import {api, get} from "/js/api.js";
import {field, h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";

const NUMBERS = [["grace_minutes", 0, 10080], ["strikes", 1, 50], ["window_days", 1, 366], ["suspension_days", 1, 366]];
const LABELS = {grace_minutes: "late.grace", strikes: "late.strikes", window_days: "late.window",
  suspension_days: "late.suspension_days"};

function form(site, policy, messages) {
  const enabled = h("input", {type: "checkbox", checked: policy.enabled});
  const inputs = Object.fromEntries(NUMBERS.map(([name, min, max]) => [name, h("input", {type: "number", min: String(min),
    max: String(max), step: "1", inputmode: "numeric", required: true, value: String(policy[name])})]));
  const element = h("form", {class: "late-policy-form"},
    h("label", {class: "check"}, enabled, " ", t("late.policy_enabled")),
    NUMBERS.map(([name]) => field(t(LABELS[name]), inputs[name])),
    h("button", {type: "submit", class: "primary wide"}, t("late.policy_save")));
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {enabled: enabled.checked,
      ...Object.fromEntries(NUMBERS.map(([name]) => [name, Number(inputs[name].value)]))};
    try {
      await api("PUT", `/api/sites/${site}/late-policy`, body);
      messages.say(t("late.policy_saved"));
    } catch (error) {
      messages.fail(error);
    }
  });
  return element;
}

// The card, filled for the site chosen; refill(site) when the choice changes. Its messages are
// said in the card, where the admin is looking (the screen's own area is far above on a phone).
export function latePolicyCard() {
  const messages = messageArea();
  const body = h("div", {});
  const card = h("section", {class: "card", "aria-labelledby": "h-late-policy"},
    h("h2", {id: "h-late-policy"}, t("late.policy_title")), h("p", {class: "hint"}, t("late.policy_lead")),
    messages.box, body);
  const refill = async (site) => {
    try {
      replace(body, form(site, await get(`/api/sites/${site}/late-policy`), messages));
    } catch (error) {
      messages.fail(error);
    }
  };
  return {card, refill};
}
