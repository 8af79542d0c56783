// A cohort's invites on one printable sheet (#/learners/invites?cohort=…): the one just imported,
// or new invites for the cohort's learners who have not activated their account yet.
import {errorMessage, post} from "/js/api.js";
import {confirmButton, field, h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {inviteSheet, takeImportedSheet} from "/js/invite-card.js";

export async function render(root, ctx) {
  const imported = takeImportedSheet();
  const messages = h("div", {class: "messages"});
  const sheet = h("div", {"aria-live": "polite"});
  const cohort = h("input", {autocomplete: "off", maxlength: "100", value: imported ? imported.cohort : ctx.query.get("cohort") || ""});

  function show(entries) {
    replace(sheet, entries.length
      ? [h("p", {class: "hint screen-only"}, t("desk.invites_count", {n: entries.length})),
        h("button", {type: "button", class: "primary wide screen-only", onclick: () => window.print()}, t("desk.invites_print")),
        inviteSheet(entries)]
      : h("p", {class: "empty"}, t("desk.invites_none")));
  }

  const reissue = confirmButton(t("desk.invites_reissue"), t("desk.invites_reissue_confirm"), async () => {
    replace(messages);
    if (!cohort.value.trim()) {
      cohort.focus();
      return;
    }
    try {
      show((await post("/api/users/invites", {cohort: cohort.value.trim()})).invites);
    } catch (error) {
      replace(messages, notice(errorMessage(error)));
    }
  }, {class: "wide"});

  replace(root,
    h("h1", {}, t("desk.invites_title")),
    h("p", {class: "lead screen-only"}, t("desk.invites_intro")),
    h("div", {class: "card screen-only"}, field(t("desk.invites_cohort"), cohort), reissue),
    messages,
    sheet,
    h("p", {class: "screen-only"}, h("a", {href: ctx.href("learners")}, t("desk.invites_back"))),
  );
  if (imported) show(imported.entries);
}
