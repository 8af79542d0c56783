// Inventory count: start one at my site, scan every item, watch seen / missing, close it.
import {errorMessage, get, post, query} from "/js/api.js";
import {confirmButton, h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {scanner, tagFromText} from "/js/scanner.js";
import {currentUser} from "/js/session.js";

function itemList(items, empty) {
  return items.length
    ? h("ul", {class: "list"}, items.map((i) => h("li", {class: "item"}, h("div", {class: "item-main"},
      h("p", {class: "item-title"}, i.name), h("p", {class: "item-sub mono"}, i.tag, i.reason ? ` — ${t(`audit.reason_${i.reason}`)}` : "")))))
    : h("p", {class: "empty"}, empty);
}

export async function render(root, ctx) {
  const user = currentUser();
  const site = user.site;
  const messages = h("div", {class: "messages"});
  let audits;
  try {
    audits = await get(`/api/audits${query({site})}`);
  } catch (error) {
    replace(root, h("h1", {}, t("audit.title")), notice(errorMessage(error)));
    return;
  }
  const open = audits.find((a) => a.open);
  if (!open) {
    const last = audits[0];
    replace(root,
      h("h1", {}, t("audit.title")),
      messages,
      h("p", {}, t("audit.intro")),
      h("button", {type: "button", class: "primary wide", onclick: async () => {
        try {
          await post("/api/audits", {site});
          ctx.render();
        } catch (error) {
          replace(messages, notice(errorMessage(error)));
        }
      }}, t("audit.start")),
      last ? h("p", {class: "hint"}, t("audit.last", {date: new Date(last.started_at).toLocaleDateString()})) : null,
    );
    return;
  }
  const counts = h("div", {class: "audit-counts", "aria-live": "polite"});
  const lastScan = h("div", {"aria-live": "polite"});
  const lists = h("div", {});

  async function refresh() {
    const state = await get(`/api/audits/${open.id}`);
    const report = state.report;
    replace(counts,
      h("div", {}, h("strong", {}, String(report.counts.seen)), t("audit.seen")),
      h("div", {}, h("strong", {}, String(report.counts.missing)), t("audit.missing")),
      h("div", {}, h("strong", {}, String(report.counts.unexpected)), t("audit.unexpected")));
    replace(lists,
      h("h2", {}, t("audit.missing_list"), " ", h("span", {class: "count"}, `(${report.missing.length})`)), itemList(report.missing, t("audit.none_missing")),
      report.unexpected.length ? [h("h2", {}, t("audit.unexpected_list")), itemList(report.unexpected, "")] : null,
      report.checked_out.length ? [h("h2", {}, t("audit.checked_out_list")), itemList(report.checked_out, "")] : null,
      h("h2", {}, t("audit.seen_list"), " ", h("span", {class: "count"}, `(${report.seen.length})`)), itemList(report.seen, t("audit.none_seen")));
    return report;
  }

  replace(root,
    h("h1", {}, t("audit.title")),
    h("p", {class: "lead"}, t("audit.running", {site})),
    messages,
    counts,
    scanner({label: t("audit.tag_label"), placeholder: "VLG-LAP-001", onResult: async (text) => {
      const tag = tagFromText(text);
      if (!tag) {
        replace(lastScan, notice(t("scan.not_a_tag")));
        return;
      }
      const seen = await post(`/api/audits/${open.id}/scans`, {tag});
      const key = seen.already_seen ? "audit.already" : (seen.expected ? "audit.ok" : `audit.reason_${seen.reason}`);
      replace(lastScan, notice(`${seen.tag} — ${seen.name} : ${t(key)}`, seen.expected ? "ok" : "error"));
      await refresh();
    }}),
    lastScan,
    lists,
    confirmButton(t("audit.close"), t("audit.close_confirm"), async () => {
      try {
        await post(`/api/audits/${open.id}/close`);
        ctx.toast(t("audit.closed"));
        ctx.render();
      } catch (error) {
        replace(messages, notice(errorMessage(error)));
      }
    }, {class: "wide"}),
  );
  await refresh();
}
