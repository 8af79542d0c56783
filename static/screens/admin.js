// Administration: data retention, closures, staff accounts, booking policies (read-only list).
import {api, errorMessage, get, post, query} from "/js/api.js";
import {confirmButton, field, h, notice, replace, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";
import {inviteCard} from "/js/invite-card.js";

export async function render(root, ctx) {
  const messages = h("div", {class: "messages"});
  const [sites, retention, policies] = await Promise.all([get("/api/sites"), get("/api/admin/retention"), get("/api/policies")]);
  const siteOptions = sites.map((s) => [s.slug, s.name]);
  const fail = (error) => replace(messages, notice(errorMessage(error)));

  // Retention
  const days = h("input", {type: "number", min: "30", max: "3650", value: String(retention.days), inputmode: "numeric"});
  const retentionForm = h("form", {class: "card", "aria-labelledby": "h-ret"}, h("h2", {id: "h-ret"}, t("admin.retention")),
    field(t("admin.retention_days"), days, t("admin.retention_hint")), h("button", {type: "submit"}, t("admin.save")));
  retentionForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("PUT", "/api/admin/retention", {days: Number(days.value)});
      replace(messages, notice(t("admin.saved"), "ok"));
    } catch (error) {
      fail(error);
    }
  });

  // Closures
  const closureSite = select(siteOptions);
  const closures = h("div", {});
  const from = h("input", {type: "date", required: true});
  const until = h("input", {type: "date", required: true});
  const reason = h("input", {maxlength: "500"});
  async function loadClosures() {
    try {
      const rows = await get(`/api/sites/${closureSite.value}/closures`);
      replace(closures, rows.length ? h("ul", {class: "list"}, rows.map((c) => h("li", {class: "item"},
        h("div", {class: "item-main"}, h("p", {class: "item-title"}, `${c.starts_on} → ${c.ends_on}`), h("p", {class: "item-sub"}, c.reason || "")),
        c.id ? confirmButton(t("admin.delete"), t("admin.delete_confirm"), async () => {
          try {
            await api("DELETE", `/api/closures/${c.id}`);
            loadClosures();
          } catch (error) {
            fail(error);
          }
        }, {class: "danger"}) : null))) : h("p", {class: "empty"}, t("admin.no_closures")));
    } catch (error) {
      replace(closures, notice(errorMessage(error)));
    }
  }
  closureSite.addEventListener("change", loadClosures);
  const closureForm = h("form", {class: "card", "aria-labelledby": "h-clo"}, h("h2", {id: "h-clo"}, t("admin.closures")),
    field(t("admin.site"), closureSite), closures,
    field(t("admin.from"), from), field(t("admin.until"), until), field(t("admin.reason"), reason),
    h("button", {type: "submit"}, t("admin.add_closure")));
  closureForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post(`/api/sites/${closureSite.value}/closures`, {starts_on: from.value, ends_on: until.value, reason: reason.value});
      loadClosures();
    } catch (error) {
      fail(error);
    }
  });

  // Staff accounts
  const staffName = h("input", {required: true});
  const staffLogin = h("input", {required: true, autocapitalize: "none"});
  const staffSite = select(siteOptions);
  const staffInvite = h("div", {});
  const staffForm = h("form", {class: "card", "aria-labelledby": "h-staff"}, h("h2", {id: "h-staff"}, t("admin.staff")),
    field(t("learners.name"), staffName), field(t("learners.login"), staffLogin), field(t("admin.site"), staffSite),
    h("button", {type: "submit"}, t("admin.create_staff")), staffInvite);
  staffForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await post("/api/users", {name: staffName.value.trim(), login: staffLogin.value.trim(), role: "staff", site: staffSite.value});
      replace(staffInvite, inviteCard(created.user.name, created.invite));
    } catch (error) {
      fail(error);
    }
  });

  // Policies, as they stand
  const policyList = h("section", {class: "card", "aria-labelledby": "h-pol"}, h("h2", {id: "h-pol"}, t("admin.policies")),
    h("ul", {class: "list"}, policies.map((p) => h("li", {class: "item"}, h("div", {class: "item-main"},
      h("p", {class: "item-title"}, `${p.site || ""} · ${fmt.kindLabel(p.kind)}${p.resource ? ` · ${p.resource}` : ""}`),
      h("p", {class: "item-sub"}, p.unit === "days"
        ? t("admin.policy_days", {min: p.min_length, max: p.max_length, ahead: p.max_days_ahead})
        : t("admin.policy_minutes", {slot: p.slot_minutes, min: p.min_length, max: p.max_length, ahead: p.max_days_ahead})))))));

  replace(root, h("h1", {}, t("admin.title")), messages, retentionForm, closureForm, staffForm, policyList);
  await loadClosures();
}
