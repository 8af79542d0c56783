// Inventory count: start one at my site, scan every item, watch seen / missing, close it; the
// finished counts stay listed, each opening its report (#/audit/{id}).
import {errorMessage, get, post, query} from "/js/api.js";
import {dateLong} from "/js/desk.js";
import {confirmButton, h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {scanner, tagFromText} from "/js/scanner.js";
import {currentUser} from "/js/session.js";

export function itemList(items, empty) {
  return items.length
    ? h("ul", {class: "list"}, items.map((i) => h("li", {class: "item"}, h("div", {class: "item-main"},
      h("p", {class: "item-title"}, i.name), h("p", {class: "item-sub mono"}, i.tag, i.reason ? ` — ${t(`audit.reason_${i.reason}`)}` : "")))))
    : h("p", {class: "empty"}, empty);
}

export function countBoxes(counts) {
  return [
    h("div", {}, h("strong", {}, String(counts.seen)), t("audit.seen")),
    h("div", {}, h("strong", {}, String(counts.missing)), t("audit.missing")),
    h("div", {}, h("strong", {}, String(counts.unexpected)), t("audit.unexpected")),
  ];
}

function pastCounts(audits, tz, ctx) {
  const closed = audits.filter((a) => !a.open);
  return h("section", {class: "group audit-past", "aria-labelledby": "h-audits-past"},
    h("h2", {id: "h-audits-past"}, t("desk.audits_past")),
    closed.length ? h("ul", {class: "list"}, closed.map((a) => h("li", {class: "item"},
      h("div", {class: "item-main"},
        h("p", {class: "item-title"}, h("a", {href: ctx.href(`audit/${a.id}`)}, t("desk.audit_of", {date: dateLong(a.closed_at, tz)}))),
        a.counts ? h("p", {class: "item-sub"}, t("desk.audit_counts", a.counts)) : null))))
      : h("p", {class: "empty"}, t("desk.audits_none")));
}

export async function render(root, ctx) {
  const user = currentUser();
  const messages = h("div", {class: "messages"});
  const sites = await get("/api/sites");
  const siteRow = sites.find((s) => s.slug === user.site) || sites[0];
  const site = siteRow.slug;
  const tz = siteRow.timezone;
  let audits;
  try {
    audits = await get(`/api/audits${query({site})}`);
  } catch (error) {
    replace(root, h("h1", {}, t("audit.title")), notice(errorMessage(error)));
    return;
  }
  const open = audits.find((a) => a.open);
  if (!open) {
    replace(root,
      h("h1", {}, t("audit.title")),
      h("p", {class: "lead"}, siteRow.name),
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
      pastCounts(audits, tz, ctx),
    );
    return;
  }
  const counts = h("div", {class: "audit-counts", "aria-live": "polite"});
  const lastScan = h("div", {"aria-live": "polite"});
  const lists = h("div", {});

  async function refresh() {
    const state = await get(`/api/audits/${open.id}`);
    const report = state.report;
    replace(counts, countBoxes(report.counts));
    replace(lists,
      h("h2", {}, t("audit.missing_list"), " ", h("span", {class: "count"}, `(${report.missing.length})`)), itemList(report.missing, t("audit.none_missing")),
      report.unexpected.length ? [h("h2", {}, t("audit.unexpected_list")), itemList(report.unexpected, "")] : null,
      report.checked_out.length ? [h("h2", {}, t("audit.checked_out_list")), itemList(report.checked_out, "")] : null,
      h("h2", {}, t("audit.seen_list"), " ", h("span", {class: "count"}, `(${report.seen.length})`)), itemList(report.seen, t("audit.none_seen")));
    return report;
  }

  replace(root,
    h("h1", {}, t("audit.title")),
    h("p", {class: "lead"}, t("audit.running", {site: siteRow.name})),
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
      // The figures first, then the notice: once it is shown, the counts include this scan.
      await refresh();
      replace(lastScan, notice(`${seen.tag} — ${seen.name} : ${t(key)}`, seen.expected ? "ok" : "error"));
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
    pastCounts(audits, tz, ctx),
  );
  await refresh();
}
