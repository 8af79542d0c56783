// A visitor's pass to show on the desk's phone or print (issue 30): the QR scanned at the door of a
// workshop open to visitors, the short code to type when a camera fails, the days it is valid.
import {errorMessage, get} from "/js/api.js";
import {h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {siteOf} from "/js/workshops.js";
import {svgDataUrl} from "/screens/pass.js";
import {validity} from "/screens/visitors.js";

export async function render(root, ctx) {
  const id = encodeURIComponent(ctx.params.id);
  let visitor, pass, sites;
  try {
    [{visitor, pass}, sites] = await Promise.all([get(`/api/visitors/${id}`), get("/api/sites")]);
  } catch (error) {
    // Another site's visitor, or one forgotten since: say so, with the way back to the visitors
    // (the app's "Oups… Réessayer" offered a retry that can only fail again).
    replace(root, h("h1", {}, t("visitors.pass_title")), notice(errorMessage(error)),
      h("p", {}, h("a", {class: "button wide", href: ctx.href("visitors")}, t("visitors.title"))));
    return;
  }
  const site = siteOf(sites, visitor.site);
  const back = `visitors?site=${encodeURIComponent(visitor.site)}`;
  replace(root,
    h("p", {class: "back screen-only"}, h("a", {href: ctx.href(back)}, t("visitors.title"))),
    h("h1", {class: "screen-only"}, t("visitors.card_title", {name: visitor.name})),
    h("div", {class: "pass participant-card visitor-pass"},
      h("p", {class: "pass-kind"}, t("visitors.pass_title")),
      h("img", {class: "pass-qr", src: svgDataUrl(pass.svg), alt: t("pass.qr_alt", {name: visitor.name})}),
      h("p", {class: "pass-name"}, visitor.name),
      h("p", {class: "pass-valid"}, validity(visitor)),
      site ? h("p", {class: "pass-login"}, site.name) : null,
      h("p", {class: "pass-code"}, t("visitors.pass_code"), " ", h("strong", {class: "mono"}, pass.code))),
    h("p", {class: "hint screen-only"}, t("visitors.card_hint")),
    h("button", {type: "button", class: "primary wide screen-only", onclick: () => window.print()}, t("visitors.print")),
    h("p", {class: "screen-only"}, h("a", {class: "button wide", href: ctx.href(back)}, t("visitors.another"))));
}
