// Staff scan screen: read a label (or type its tag) and open the item's page.
import {errorMessage} from "/js/api.js";
import {h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {passHolder, visitingNote} from "/js/people.js";
import {isPassText, scanner, tagFromText} from "/js/scanner.js";

export async function render(root, ctx) {
  const pending = sessionStorage.getItem("fablab.pass");
  const messages = h("div", {class: "messages"});
  replace(root,
    h("h1", {}, t("scan.title")),
    h("p", {class: "lead"}, pending ? t("scan.lend_to_pass") : t("scan.intro")),
    messages,
    scanner({
      label: t("scan.tag_label"),
      placeholder: "VLG-LAP-001",
      onResult: async (text) => {
        if (isPassText(text)) {
          // Say whose pass it is before anything is lent with it.
          try {
            const person = await passHolder(text);
            sessionStorage.setItem("fablab.pass", text);
            replace(messages, notice(t("desk.pass_kept", {name: person.name, login: person.login}), "ok"),
              visitingNote(person) ? h("p", {class: "hint visiting"}, visitingNote(person)) : null,
              h("p", {}, h("a", {class: "button", href: ctx.href("handover")}, t("agreement.several"))));
          } catch (error) {
            sessionStorage.removeItem("fablab.pass");
            replace(messages, notice(errorMessage(error)));
          }
          return;
        }
        const tag = tagFromText(text);
        if (!tag) {
          replace(messages, notice(t("scan.not_a_tag")));
          return;
        }
        location.assign(`/t/${encodeURIComponent(tag)}`);
      },
    }),
  );
}
