import {h, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";

export async function render(root, ctx) {
  replace(root, h("h1", {}, t("errors.forbidden_title")), h("p", {}, t("errors.forbidden")),
    h("p", {}, h("a", {href: ctx.href("")}, t("nav.home"))));
}
