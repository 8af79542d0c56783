// A young person's desk pass as a card to print (issue 29): their name, their site and the QR code
// staff scan at a workshop's door. Only the card is printed; the buttons stay on screen.
import {get} from "/js/api.js";
import {h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {siteOf} from "/js/workshops.js";
import {svgDataUrl} from "/screens/pass.js";

export async function render(root, ctx) {
  const id = encodeURIComponent(ctx.params.id);
  const [person, pass, sites] = await Promise.all([get(`/api/participants/${id}`), get(`/api/participants/${id}/pass`),
    get("/api/sites")]);
  const site = person.site ? siteOf(sites, person.site) : null;
  replace(root,
    h("p", {class: "back screen-only"}, h("a", {href: ctx.href(`partners${person.site ? `?site=${encodeURIComponent(person.site)}` : ""}`)},
      t("workshops.partners_title"))),
    h("h1", {class: "screen-only"}, t("workshops.card_title", {name: person.name})),
    h("div", {class: "pass participant-card"},
      h("img", {class: "pass-qr", src: svgDataUrl(pass.svg), alt: t("pass.qr_alt", {name: person.name})}),
      h("p", {class: "pass-name"}, person.name),
      site ? h("p", {class: "pass-login"}, site.name) : null),
    h("p", {class: "hint screen-only"}, t("workshops.card_hint")),
    h("button", {type: "button", class: "primary wide screen-only", onclick: () => window.print()}, t("workshops.card_print")));
}
