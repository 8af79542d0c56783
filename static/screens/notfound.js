import {h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";

export async function render(root, ctx) {
  replace(root, h("h1", {}, t("errors.page_not_found")), h("p", {}, h("a", {href: ctx.href("")}, t("nav.home"))));
}
