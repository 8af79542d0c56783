// A site's loan agreement (issue 31), for the admin: its current text, and a new version saved.
import {api, get} from "/js/api.js";
import {field, h} from "/js/dom.js";
import {t} from "/js/i18n.js";

export function agreementForm(slug, messages) {
  const text = h("textarea", {rows: "8", maxlength: "20000", required: true});
  const everyLoan = h("input", {type: "checkbox"});
  const current = h("p", {class: "hint"});
  const form = h("form", {class: "card agreement-form", "aria-labelledby": "h-agreement-form"},
    h("h2", {id: "h-agreement-form"}, t("agreement.admin_title")), current,
    field(t("agreement.admin_text"), text),
    h("label", {class: "check"}, everyLoan, h("span", {}, t("agreement.admin_every_loan"))),
    h("button", {type: "submit", class: "primary wide"}, t("agreement.admin_save")));
  const show = (agreement) => {
    text.value = agreement.text;
    everyLoan.checked = agreement.every_loan;
    current.textContent = t("agreement.text_title", {version: agreement.version});
  };
  get(`/api/sites/${encodeURIComponent(slug)}/agreement`).then((agreement) => {
    if (agreement) show(agreement);
    else current.textContent = t("agreement.admin_none");
  }).catch((error) => messages.fail(error));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const saved = await api("PUT", `/api/sites/${encodeURIComponent(slug)}/agreement`,
        {text: text.value, every_loan: everyLoan.checked});
      show(saved);
      messages.say(t("agreement.admin_saved", {version: saved.version}));
    } catch (error) {
      messages.fail(error);
    }
    messages.box.scrollIntoView({block: "center"});
  });
  return form;
}
