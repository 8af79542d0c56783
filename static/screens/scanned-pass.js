// A pass opened by a phone's camera app (its QR is a link): staff can lend to it; others are told what it is.
import {errorMessage} from "/js/api.js";
import {h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {passHolder, visitingNote} from "/js/people.js";
import {isStaff} from "/js/session.js";

export async function render(root, ctx) {
  if (isStaff()) {
    let person;
    try {
      person = await passHolder(ctx.params.token);
    } catch (error) {
      sessionStorage.removeItem("fablab.pass");
      replace(root, h("h1", {}, t("scanned_pass.title")), notice(errorMessage(error)),
        h("p", {}, h("a", {class: "button", href: ctx.href("scan")}, t("desk.scan_again"))));
      return;
    }
    sessionStorage.setItem("fablab.pass", ctx.params.token);
    replace(root, h("h1", {}, t("scanned_pass.title")),
      h("p", {class: "pass-owner"}, t("desk.pass_of", {name: person.name, login: person.login})),
      visitingNote(person) ? h("p", {class: "notice visiting"}, visitingNote(person)) : null,
      h("p", {}, t("scanned_pass.staff")),
      h("p", {}, h("a", {class: "button primary", href: ctx.href("scan")}, t("scanned_pass.to_scan"))),
      // Several items in one confirmation, under the loan agreement (issue 31).
      h("p", {}, h("a", {class: "button", href: ctx.href("handover")}, t("agreement.several"))));
    return;
  }
  replace(root, h("h1", {}, t("scanned_pass.title")), h("p", {}, t("scanned_pass.other")),
    h("p", {}, h("a", {href: ctx.href("")}, t("nav.home"))));
}
