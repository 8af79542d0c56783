// Administration hub: one link per job (each its own screen), and how long personal data is kept.
import {api, get} from "/js/api.js";
import {messageArea} from "/js/admin-kit.js";
import {field, h} from "/js/dom.js";
import {t} from "/js/i18n.js";

const SECTIONS = ["sites", "policies", "closures", "trainings", "staff"];

// A number of days kept by the server (PUT {days}): the retention period, the visitors' delay (issue 30).
function daysForm({id, title, label, hint, min, url}, current, messages) {
  const days = h("input", {type: "number", min: String(min), max: "3650", value: String(current.days), inputmode: "numeric"});
  const form = h("form", {class: "card", "aria-labelledby": id}, h("h2", {id}, title),
    field(label, days, hint), h("button", {type: "submit"}, t("admin.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("PUT", url, {days: Number(days.value)});
      messages.say(t("admin.saved"));
    } catch (error) {
      messages.fail(error);
    }
  });
  return form;
}

function retentionForm(retention, messages) {
  return daysForm({id: "h-ret", title: t("admin.retention"), label: t("admin.retention_days"),
    hint: t("admin.retention_hint"), min: 30, url: "/api/admin/retention"}, retention, messages);
}

// visitors (issue 30): how many days after their pass visitors are forgotten.
function visitorDelayForm(delay, messages) {
  return daysForm({id: "h-visitor-delay", title: t("visitors.retention"), label: t("visitors.retention_days"),
    hint: t("visitors.retention_hint"), min: 1, url: "/api/admin/visitor-retention"}, delay, messages);
}

// Minors (issue 30): how long their guardians, consents and signatures outlive a consent's end.
function minorsRetentionForm(retention, messages) {
  return daysForm({id: "h-minors-ret", title: t("minors_admin.retention"), label: t("minors_admin.retention_days"),
    hint: t("minors_admin.retention_hint"), min: 30, url: "/api/admin/minors-retention"}, retention, messages);
}

export async function render(root) {
  const messages = messageArea();
  const [retention, visitorDelay, minorsRetention] = await Promise.all([get("/api/admin/retention"),
    get("/api/admin/visitor-retention"), get("/api/admin/minors-retention")]);
  const links = h("ul", {class: "tiles"}, SECTIONS.map((name) => h("li", {}, h("a", {class: "tile", href: `/#/admin/${name}`},
    h("span", {class: "tile-title"}, t(`admin2.hub.${name}`)), h("span", {class: "tile-text"}, t(`admin2.hub.${name}_text`))))),
  h("li", {}, h("a", {class: "tile", href: "/#/admin/maintenance"},
    h("span", {class: "tile-title"}, t("maintenance.admin_title")), h("span", {class: "tile-text"}, t("maintenance.hub_text")))),
  h("li", {}, h("a", {class: "tile", href: "/#/admin/consents"},
    h("span", {class: "tile-title"}, t("minors_admin.hub_title")), h("span", {class: "tile-text"}, t("minors_admin.hub_text")))),
  h("li", {}, h("a", {class: "tile", href: "/#/reports"},
    h("span", {class: "tile-title"}, t("admin2.hub.reports")), h("span", {class: "tile-text"}, t("admin2.hub.reports_text")))));
  root.append(h("h1", {}, t("admin.title")), messages.box, links, retentionForm(retention, messages),
    minorsRetentionForm(minorsRetention, messages), visitorDelayForm(visitorDelay, messages));
}
