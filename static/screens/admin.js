// Administration hub: one link per job (each its own screen), and how long personal data is kept.
import {api, get} from "/js/api.js";
import {messageArea} from "/js/admin-kit.js";
import {field, h} from "/js/dom.js";
import {t} from "/js/i18n.js";

const SECTIONS = ["sites", "policies", "closures", "trainings", "staff"];

function retentionForm(retention, messages) {
  const days = h("input", {type: "number", min: "30", max: "3650", value: String(retention.days), inputmode: "numeric"});
  const form = h("form", {class: "card", "aria-labelledby": "h-ret"}, h("h2", {id: "h-ret"}, t("admin.retention")),
    field(t("admin.retention_days"), days, t("admin.retention_hint")), h("button", {type: "submit"}, t("admin.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("PUT", "/api/admin/retention", {days: Number(days.value)});
      messages.say(t("admin.saved"));
    } catch (error) {
      messages.fail(error);
    }
  });
  return form;
}

export async function render(root) {
  const messages = messageArea();
  const retention = await get("/api/admin/retention");
  const links = h("ul", {class: "tiles"}, SECTIONS.map((name) => h("li", {}, h("a", {class: "tile", href: `/#/admin/${name}`},
    h("span", {class: "tile-title"}, t(`admin2.hub.${name}`)), h("span", {class: "tile-text"}, t(`admin2.hub.${name}_text`))))),
  h("li", {}, h("a", {class: "tile", href: "/#/admin/maintenance"},
    h("span", {class: "tile-title"}, t("maintenance.admin_title")), h("span", {class: "tile-text"}, t("maintenance.hub_text")))),
  h("li", {}, h("a", {class: "tile", href: "/#/reports"},
    h("span", {class: "tile-title"}, t("admin2.hub.reports")), h("span", {class: "tile-text"}, t("admin2.hub.reports_text")))));
  root.append(h("h1", {}, t("admin.title")), messages.box, links, retentionForm(retention, messages));
}
