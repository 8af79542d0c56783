// The public agenda of a site's workshops (issue 29): anyone may open it, signed in or not (a
// poster's QR code, the association's web site). Public workshops to come with the seats left; no
// participant is ever named here.
import {get, query} from "/js/api.js";
import {h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {listOf, workshopItem} from "/js/workshops.js";

export async function render(root, ctx) {
  const site = await get(`/api/sites/${encodeURIComponent(ctx.params.site)}`);
  const found = await get(`/api/workshops${query({site: site.slug, from: new Date().toISOString().slice(0, 10)})}`);
  const upcoming = listOf(found, "workshops")
    .filter((w) => w.audience === "public" && w.status !== "cancelled" && Date.parse(w.starts_at) > Date.now())
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  replace(root,
    h("h1", {}, t("workshops.agenda_title")),
    h("p", {class: "lead"}, t("workshops.agenda_lead", {site: site.name})),
    upcoming.length ? h("ul", {class: "list workshops agenda"}, upcoming.map((w) => workshopItem(w, site.timezone)))
      : h("p", {class: "empty"}, t("workshops.agenda_none")),
    // The same workshops as a feed a phone's calendar subscribes to (no names in it).
    h("p", {class: "links"}, h("a", {class: "button wide", href: `/cal/sites/${encodeURIComponent(site.slug)}/workshops.ics`},
      t("workshops.agenda_feed"))),
    h("p", {class: "links"}, h("a", {href: ctx.href("")}, t("app.name"))));
}
