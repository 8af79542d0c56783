// Consent texts (admin, issue 30): for each site, the text a minor's guardian reads and signs on the
// staff phone. Saving writes a new version (the server keeps the old ones: signed consents cite them).
import {api, get} from "/js/api.js";
import {backToHub, messageArea} from "/js/admin-kit.js";
import {field, h, replace, select} from "/js/dom.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";

const textUrl = (site) => `/api/sites/${encodeURIComponent(site.slug)}/consent-text`;

function currentLine(current, site) {
  return current ? t("minors_admin.current", {version: current.version, date: fmt.date(current.created_at, site.timezone)})
    : t("minors_admin.none");
}

// The site's text in a form starting from its current version; saving the same text again would
// only make an identical version, so it is refused here.
function textForm(site, current, messages) {
  const text = h("textarea", {rows: "10", maxlength: "20000", required: true});
  text.value = current ? current.text : "";
  const status = h("p", {class: "hint consent-text-version"}, currentLine(current, site));
  const form = h("form", {class: "card consent-text-form", "aria-labelledby": "h-consent-text"},
    h("h2", {id: "h-consent-text"}, site.name), status,
    field(t("minors_admin.text"), text, t("minors_admin.text_hint")),
    h("button", {type: "submit", class: "primary wide"}, t("minors_admin.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const wanted = text.value.trim();
    if (!wanted) return messages.fail(t("minors_admin.empty"));
    if (current && wanted === current.text) return messages.fail(t("minors_admin.unchanged"));
    try {
      current = await api("PUT", textUrl(site), {text: wanted});
      text.value = current.text;
      status.textContent = currentLine(current, site);
      messages.say(t("minors_admin.saved", {version: current.version, site: site.name}));
    } catch (error) {
      messages.fail(error);
    }
    messages.box.scrollIntoView({block: "center"});
  });
  return form;
}

export async function render(root, ctx) {
  const messages = messageArea();
  const sites = await get("/api/sites");
  const first = sites.find((s) => s.slug === ctx.query.get("site")) || sites[0];
  const siteSelect = select(sites.map((s) => [s.slug, s.name]), {value: first.slug});
  const panel = h("div", {"aria-live": "polite"});
  let shown = 0;
  // The chosen site's form; an answer to an older choice is dropped.
  async function show() {
    const mine = ++shown;
    const site = sites.find((s) => s.slug === siteSelect.value);
    messages.clear();
    try {
      const current = await get(textUrl(site));
      if (mine === shown) replace(panel, textForm(site, current, messages));
    } catch (error) {
      if (mine === shown) messages.fail(error);
    }
  }
  siteSelect.addEventListener("change", show);
  replace(panel, textForm(first, await get(textUrl(first)), messages));
  root.append(backToHub(), h("h1", {}, t("minors_admin.title")), h("p", {class: "lead"}, t("minors_admin.lead")),
    h("div", {class: "card"}, field(t("minors_admin.site"), siteSelect)), messages.box, panel);
}
