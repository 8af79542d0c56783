// The learner's pass: a big QR on white that staff scan at the desk (readable offline too).
import {api, errorMessage} from "/js/api.js";
import {h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {mountPushSwitch} from "/js/push.js";
import {currentUser} from "/js/session.js";

export function svgDataUrl(svg) {
  // An <img> with a data: URL shows the server's SVG without inserting it as markup.
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export async function render(root) {
  const user = currentUser();
  let result;
  try {
    result = await api("GET", "/api/me/pass", undefined, {withMeta: true});
  } catch (error) {
    replace(root, h("h1", {}, t("pass.title")), notice(errorMessage(error)));
    return;
  }
  const pass = result.data;
  replace(root,
    h("h1", {}, t("pass.title")),
    h("div", {class: "pass"},
      h("img", {class: "pass-qr", src: svgDataUrl(pass.svg), alt: t("pass.qr_alt", {name: user.name || user.login})}),
      h("p", {class: "pass-name"}, user.name || user.login),
      h("p", {class: "pass-login mono"}, user.login),
      pass.code ? h("p", {class: "pass-code"}, t("screens.pass_code"), " ", h("strong", {class: "mono"}, pass.code)) : null,
    ),
    result.offline ? notice(t("app.offline_copy"), "ok") : null,
    h("p", {class: "hint"}, t("pass.help")),
  );
  mountPushSwitch(root);  // appends at once, fills itself in (issue 20)
}
