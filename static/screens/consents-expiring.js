// Consents about to expire (issue 30): the minors of the staff's sites whose guardian's consent
// ends within 30 days and was not renewed, soonest first; whether the guardian was reminded by
// e-mail, or must be called. A tap opens the minor's record to renew it.
import {get} from "/js/api.js";
import {h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import * as fmt from "/js/format.js";

function expiringItem(ctx, row) {
  const covers = row.covers.map((c) => t(`minors.cover_${c}`)).join(", ").replace(/^./, (c) => c.toUpperCase());
  const told = row.reminded_at ? t("minors.expiring_reminded", {date: fmt.date(row.reminded_at)})
    : (row.guardian_email ? null : t("minors.expiring_no_email"));
  return h("li", {class: "item consent-expiring"},
    h("div", {class: "item-main"},
      h("p", {class: "item-title"}, h("a", {href: ctx.href(`people/${row.person}/minor`)},
        t("minors.expiring_line", {name: row.person_name, date: fmt.date(row.expires_on)}))),
      h("p", {class: "item-sub"}, [covers, row.guardian_name].filter(Boolean).join(" · ")),
      told ? h("p", {class: "item-sub"}, told) : null));
}

export async function render(root, ctx) {
  const rows = await get("/api/consents/expiring");
  replace(root,
    h("h1", {}, t("minors.expiring_title")),
    h("p", {class: "lead"}, t("minors.expiring_lead")),
    rows.length ? h("ul", {class: "list expiring"}, rows.map((row) => expiringItem(ctx, row)))
      : h("p", {class: "empty"}, t("minors.expiring_none")));
}
