// The loan agreement at the counter (issue 31): when the learner has not signed the site's current
// version, the hand-over answers 422 agreement_required with its text and the items; the learner
// reads it with the items and their return time, and signs with a finger. No signature, no loan.
import {moment} from "/js/desk.js";
import {h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {signatureField} from "/js/signature-field.js";

// agreementPanel({agreement, items, learner, timezone, onSign(signed), onRefuse()}) → element;
// signed is {signature: {png}, agreement_version}.
export function agreementPanel({agreement, items, learner, timezone, onSign, onRefuse}) {
  const pad = signatureField(t("counter.sign_label", {name: learner.name}));
  const messages = h("div", {class: "messages"});
  const sign = h("button", {type: "button", class: "primary wide", onclick: async () => {
    if (pad.isEmpty()) {
      replace(messages, notice(t("signature.empty")));
      return;
    }
    sign.disabled = true;
    try {
      await onSign({signature: {png: pad.png()}, agreement_version: agreement.version});
    } finally {
      sign.disabled = false;
    }
  }}, t("counter.sign_and_lend"));
  return h("section", {class: "card counter-agreement", "aria-labelledby": "h-counter-agreement"},
    h("h2", {id: "h-counter-agreement"}, t("counter.agreement_title", {version: agreement.version})),
    h("p", {class: "counter-agreement-text"}, agreement.text),
    h("ul", {class: "counter-agreement-items"}, (items || []).map((item) => h("li", {},
      t("counter.agreement_item", {item: item.name, when: moment(item.due_at, timezone)}),
      item.parts && item.parts.length ? ` — ${t("counter.with_parts", {parts: item.parts.join(", ")})}` : ""))),
    pad.element, messages, sign,
    h("button", {type: "button", class: "wide danger", onclick: onRefuse}, t("counter.refuse")));
}
