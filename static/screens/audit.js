// Inventory count: start one at my site, scan every item, watch seen / missing, close it; the
// finished counts stay listed, each opening its report (#/audit/{id}).
import {errorMessage, get, post, query} from "/js/api.js";
import {dateLong} from "/js/desk.js";
import {confirmButton, h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {scanner, tagFromText} from "/js/scanner.js";
import {chosenSite, sitePicker} from "/js/site-choice.js";

// Each item links to its page (/t/{TAG}): a missing laptop's history and last holder are one tap away.
export function itemList(items, empty) {
  return items.length
    ? h("ul", {class: "list audit-items"}, items.map((i) => h("li", {class: "item"}, h("div", {class: "item-main"},
      h("p", {class: "item-title"}, h("a", {href: `/t/${encodeURIComponent(i.tag)}`}, i.name)),
      h("p", {class: "item-sub mono"}, i.tag, i.reason ? ` — ${t(`audit.reason_${i.reason}`)}` : "")))))
    : h("p", {class: "empty"}, empty);
}

export function countBoxes(counts) {
  return [
    h("div", {}, h("strong", {}, String(counts.seen)), t("audit.seen", {n: counts.seen})),
    h("div", {}, h("strong", {}, String(counts.missing)), t("audit.missing", {n: counts.missing})),
    h("div", {}, h("strong", {}, String(counts.unexpected)), t("audit.unexpected", {n: counts.unexpected})),
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

// No count running: what a count is, and the button that starts one.
function startView(root, ctx, {site, audits, messages, picker}) {
  replace(root,
    h("h1", {}, t("audit.title")),
    h("p", {class: "lead"}, site.name),
    picker,
    messages,
    h("p", {}, t("audit.intro")),
    h("button", {type: "button", class: "primary wide", onclick: async () => {
      try {
        await post("/api/audits", {site: site.slug});
        ctx.render();
      } catch (error) {
        replace(messages, notice(errorMessage(error)));
      }
    }}, t("audit.start")),
    pastCounts(audits, site.timezone, ctx),
  );
}

// The running count's figures and lists, asked again after each scan.
async function refresh(count) {
  const state = await get(`/api/audits/${count.open.id}`);
  const report = state.report;
  replace(count.counts, countBoxes(report.counts));
  replace(count.lists,
    h("h2", {}, t("audit.missing_list"), " ", h("span", {class: "count"}, `(${report.missing.length})`)), itemList(report.missing, t("audit.none_missing")),
    report.unexpected.length ? [h("h2", {}, t("audit.unexpected_list")), itemList(report.unexpected, "")] : null,
    report.checked_out.length ? [h("h2", {}, t("audit.checked_out_list")), itemList(report.checked_out, "")] : null,
    h("h2", {}, t("audit.seen_list"), " ", h("span", {class: "count"}, `(${report.seen.length})`)), itemList(report.seen, t("audit.none_seen")));
  return report;
}

// One tag read: counted, then said (already seen, expected, or why it was not). Every answer,
// a refusal too (an unknown code), replaces the last one in one place: messages never pile up.
async function scanned(count, text) {
  const tag = tagFromText(text);
  if (!tag) {
    replace(count.lastScan, notice(t("scan.not_a_tag")));
    return;
  }
  let seen;
  try {
    seen = await post(`/api/audits/${count.open.id}/scans`, {tag});
  } catch (error) {
    replace(count.lastScan, notice(`${tag} — ${errorMessage(error)}`));
    return;
  }
  const key = seen.already_seen ? "audit.already" : (seen.expected ? "audit.ok" : `audit.reason_${seen.reason}`);
  // The figures first, then the notice: once it is shown, the counts include this scan.
  await refresh(count);
  replace(count.lastScan, notice(`${seen.tag} — ${seen.name} : ${t(key)}`, seen.expected ? "ok" : "error"));
}

function closeButton(ctx, count) {
  return confirmButton(t("audit.close"), t("audit.close_confirm"), async () => {
    try {
      await post(`/api/audits/${count.open.id}/close`);
      ctx.toast(t("audit.closed"));
      ctx.render();
    } catch (error) {
      replace(count.messages, notice(errorMessage(error)));
    }
  }, {class: "wide"});
}

// A count running: scan every item, watch seen / missing, close it.
async function runningView(root, ctx, {site, audits, messages, open, picker}) {
  const count = {open, messages, counts: h("div", {class: "audit-counts", "aria-live": "polite"}),
    lastScan: h("div", {"aria-live": "polite"}), lists: h("div", {})};
  replace(root,
    h("h1", {}, t("audit.title")),
    h("p", {class: "lead"}, t("audit.running", {site: site.name})),
    picker,
    messages,
    count.counts,
    scanner({label: t("audit.tag_label"), placeholder: "VLG-LAP-001", onResult: (text) => scanned(count, text)}),
    count.lastScan,
    count.lists,
    closeButton(ctx, count),
    pastCounts(audits, site.timezone, ctx),
  );
  await refresh(count);
}

export async function render(root, ctx) {
  const messages = h("div", {class: "messages"});
  const sites = await get("/api/sites");
  const site = chosenSite(sites, ctx.query.get("site"));
  const picker = sitePicker(sites, site, (slug) => ctx.go(`audit${query({site: slug})}`));
  let audits;
  try {
    audits = await get(`/api/audits${query({site: site.slug})}`);
  } catch (error) {
    replace(root, h("h1", {}, t("audit.title")), notice(errorMessage(error)));
    return;
  }
  const open = audits.find((a) => a.open);
  if (open) await runningView(root, ctx, {site, audits, messages, open, picker});
  else startView(root, ctx, {site, audits, messages, picker});
}
