// Maintenance plans (staff of the site, admins): one per kind at a site, and the items with a plan
// of their own (set on the item's page, which overrides its kind's).
import {api, get, query} from "/js/api.js";
import {backToHub, messageArea} from "/js/admin-kit.js";
import {append, field, h, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {planForm} from "/js/maintenance.js";
import {currentUser, isAdmin} from "/js/session.js";

const KINDS = ["printer_3d", "laptop", "room"];

function sitesFor(sites) {
  if (isAdmin()) return sites;
  const me = currentUser();
  const mine = Array.isArray(me.sites) && me.sites.length ? me.sites : [me.site];
  return sites.filter((s) => mine.includes(s.slug));
}

function kindCard(site, kind, plan, messages, ctx) {
  const path = `/api/sites/${encodeURIComponent(site.slug)}/maintenance-plans/${kind}`;
  const remove = plan ? h("button", {type: "button", onclick: async () => {
    try {
      await api("DELETE", path);
      ctx.toast(t("maintenance.plan_removed"));
      ctx.render();
    } catch (error) {
      messages.fail(error);
    }
  }}, t("maintenance.remove_plan")) : null;
  return h("section", {class: "card", "data-kind": kind, "aria-labelledby": `h-mp-${kind}`},
    h("h2", {id: `h-mp-${kind}`}, fmt.kindLabel(kind)),
    h("p", {class: "hint"}, plan ? t("maintenance.kind_plan_set") : t("maintenance.kind_plan_none")),
    planForm({plan, kind, extra: remove, onSave: async (body) => {
      const saved = await api("PUT", path, body);
      // A plan refusing bookings of units already overdue moved or cancelled their bookings (issue 25).
      const done = saved.item_bookings;
      ctx.toast(done && (done.moved.length || done.withdrawn.length)
        ? t("rebooked.plan_saved", {moved: done.moved.length, withdrawn: done.withdrawn.length})
        : t("maintenance.plan_saved"));
      ctx.render();
    }}));
}

function itemPlans(items) {
  return h("section", {class: "card", "aria-labelledby": "h-mp-items"},
    h("h2", {id: "h-mp-items"}, t("maintenance.item_plans")),
    h("p", {class: "hint"}, t("maintenance.item_plans_hint")),
    items.length ? h("ul", {class: "list"}, items.map((p) => h("li", {class: "item"}, h("div", {class: "item-main"},
      h("p", {class: "item-title"}, h("a", {href: `/t/${encodeURIComponent(p.tag)}`}, p.name)),
      h("p", {class: "item-sub"}, p.task))))) : h("p", {class: "empty"}, t("maintenance.item_plans_none")));
}

export async function render(root, ctx) {
  const messages = messageArea();
  const sites = sitesFor(await get("/api/sites"));
  const wanted = ctx.query.get("site");
  const site = sites.find((s) => s.slug === wanted) || sites.find((s) => s.slug === currentUser().site) || sites[0];
  const parts = [isAdmin() ? backToHub() : null, h("h1", {}, t("maintenance.admin_title")),
    h("p", {class: "lead"}, t("maintenance.admin_lead"))];
  if (!site) {
    append(root, [parts, h("p", {class: "empty"}, t("reports.no_site"))]);
    return;
  }
  const siteSelect = select(sites.map((s) => [s.slug, s.name]), {value: site.slug,
    onchange: () => ctx.go(`admin/maintenance${query({site: siteSelect.value})}`)});
  const plans = await get(`/api/maintenance/plans${query({site: site.slug})}`);
  const byKind = Object.fromEntries(plans.kinds.map((p) => [p.kind, p]));
  append(root, [parts, field(t("reports.site"), siteSelect), messages.box,
    KINDS.map((kind) => kindCard(site, kind, byKind[kind], messages, ctx)), itemPlans(plans.items)]);
}
