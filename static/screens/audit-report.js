// One inventory count's report (#/audit/{id}): what was seen, missing, unexpected or lent out,
// as it was when the count was closed (kept by the server), or so far for a running count.
import {errorMessage, get, query} from "/js/api.js";
import {dateLong, moment} from "/js/desk.js";
import {h, notice, replace} from "/js/dom.js";
import {lang, t} from "/js/i18n.js";
import {countBoxes, itemList} from "/screens/audit.js";

export async function render(root, ctx) {
  let audit, sites;
  try {
    [audit, sites] = await Promise.all([get(`/api/audits/${encodeURIComponent(ctx.params.id)}`), get("/api/sites")]);
  } catch (error) {
    replace(root, h("h1", {}, t("audit.title")), notice(errorMessage(error)),
      h("a", {class: "button wide", href: ctx.href("audit")}, t("desk.audit_back")));
    return;
  }
  const site = sites.find((s) => s.slug === audit.site) || {};
  const tz = site.timezone;
  const report = audit.report;
  const who = audit.started_by ? audit.started_by.name : t("desk.someone");
  replace(root,
    h("p", {class: "eyebrow"}, site.name || audit.site_name),
    h("h1", {}, t("desk.audit_of", {date: dateLong(audit.closed_at || audit.started_at, tz)})),
    audit.open
      ? [h("p", {class: "lead"}, t("desk.audit_running")), h("a", {class: "button primary wide", href: ctx.href("audit")}, t("desk.audit_continue"))]
      : h("p", {class: "lead"}, t("desk.audit_by", {name: who, date: moment(audit.closed_at, tz)})),
    h("div", {class: "audit-counts"}, countBoxes(report.counts)),
    h("h2", {}, t("audit.missing_list"), " ", h("span", {class: "count"}, `(${report.missing.length})`)), itemList(report.missing, t("audit.none_missing")),
    report.unexpected.length ? [h("h2", {}, t("audit.unexpected_list"), " ", h("span", {class: "count"}, `(${report.unexpected.length})`)), itemList(report.unexpected, "")] : null,
    report.checked_out.length ? [h("h2", {}, t("audit.checked_out_list"), " ", h("span", {class: "count"}, `(${report.checked_out.length})`)), itemList(report.checked_out, "")] : null,
    h("h2", {}, t("audit.seen_list"), " ", h("span", {class: "count"}, `(${report.seen.length})`)), itemList(report.seen, t("audit.none_seen")),
    // The report to keep or send (a spreadsheet as the other reports) and on paper.
    h("div", {class: "button-row screen-only"},
      h("a", {class: "button", href: `/api/audits/${audit.id}/report.csv${query({lang: lang()})}`, download: ""}, t("audit.export")),
      h("button", {type: "button", onclick: () => window.print()}, t("audit.print"))),
    h("p", {class: "screen-only"}, h("a", {class: "button wide", href: ctx.href("audit")}, t("desk.audit_back"))),
  );
}
