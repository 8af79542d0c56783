// Sites (admin): the list, and one site's name, address, contact and weekly opening hours.
import {get, patch} from "/js/api.js";
import {backToHub, messageArea} from "/js/admin-kit.js";
import {agreementForm} from "/js/agreement-form.js";
import {field, h} from "/js/dom.js";
import {hoursEditor, hoursSummary} from "/js/hours-editor.js";
import {t} from "/js/i18n.js";

function siteList(sites) {
  return h("ul", {class: "list"}, sites.map((site) => h("li", {class: "item"},
    h("div", {class: "item-main"}, h("p", {class: "item-title"}, site.name),
      h("p", {class: "item-sub"}, site.address || ""), h("p", {class: "item-sub"}, hoursSummary(site.opening_hours))),
    h("a", {class: "button", href: `/#/admin/sites/${encodeURIComponent(site.slug)}`,
      "aria-label": t("admin2.sites.edit_named", {name: site.name})}, t("admin2.sites.edit")))));
}

function siteForm(site, messages) {
  const name = h("input", {value: site.name, required: true, maxlength: "200"});
  const address = h("textarea", {maxlength: "500", rows: "2"}, site.address || "");
  const contact = h("input", {value: site.contact || "", maxlength: "500"});
  const timezone = h("input", {value: site.timezone, required: true, maxlength: "64", autocapitalize: "none", spellcheck: "false"});
  const hours = hoursEditor(site.opening_hours);
  const form = h("form", {class: "card site-form", "aria-labelledby": "h-site"},
    h("h2", {id: "h-site"}, t("admin2.sites.details")),
    field(t("admin2.sites.name"), name), field(t("admin2.sites.address"), address),
    field(t("admin2.sites.contact"), contact, t("admin2.sites.contact_hint")),
    field(t("admin2.sites.timezone"), timezone, t("admin2.sites.timezone_hint")),
    h("h2", {}, t("admin2.sites.hours")), h("p", {class: "hint"}, t("admin2.sites.hours_hint")),
    hours.element,
    h("button", {type: "submit", class: "primary wide"}, t("admin2.sites.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problem = hours.problem();
    if (problem) {
      messages.fail(problem);
      return;
    }
    try {
      const saved = await patch(`/api/sites/${encodeURIComponent(site.slug)}`, {
        name: name.value.trim(), address: address.value.trim(), contact: contact.value.trim(), timezone: timezone.value.trim(),
        opening_hours: hours.value()});
      messages.say(t("admin2.sites.saved", {name: saved.name}));
    } catch (error) {
      messages.fail(error);
    }
    messages.box.scrollIntoView({block: "center"});
  });
  return form;
}

export async function render(root, ctx) {
  const messages = messageArea();
  if (!ctx.params.slug) {
    const sites = await get("/api/sites");
    root.append(backToHub(), h("h1", {}, t("admin2.sites.title")), siteList(sites));
    return;
  }
  const site = await get(`/api/sites/${encodeURIComponent(ctx.params.slug)}`);
  root.append(h("p", {class: "back"}, h("a", {href: "/#/admin/sites"}, t("admin2.sites.back"))),
    h("h1", {}, site.name), messages.box, siteForm(site, messages), agreementForm(site.slug, messages));
}
