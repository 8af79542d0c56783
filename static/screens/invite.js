// The link a learner opens from the QR on the staff's screen: choose a password, and you're in.
import {ApiError, errorMessage, get, post} from "/js/api.js";
import {field, h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {adopt} from "/js/session.js";

export async function render(root, ctx) {
  const token = ctx.params.token;
  let info;
  try {
    info = await get(`/api/invites/${encodeURIComponent(token)}`);
  } catch (error) {
    const text = error instanceof ApiError && (error.status === 404 || error.status === 410)
      ? t("invite.invalid") : errorMessage(error);
    replace(root, h("h1", {}, t("invite.title")), notice(text), h("p", {}, h("a", {href: ctx.href("login")}, t("invite.to_login"))));
    return;
  }
  const password = h("input", {type: "password", autocomplete: "new-password", required: true, minlength: "8"});
  const again = h("input", {type: "password", autocomplete: "new-password", required: true, minlength: "8"});
  const message = h("div", {class: "messages"});
  const submit = h("button", {type: "submit", class: "primary wide"}, t("invite.submit"));
  const form = h("form", {class: "card", novalidate: true},
    h("p", {}, t("invite.your_login"), " ", h("strong", {class: "mono"}, info.login)),
    field(t("invite.password"), password, t("invite.password_hint")),
    field(t("invite.again"), again),
    message, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (password.value.length < 8) {
      replace(message, notice(t("errors.weak_password")));
      return;
    }
    if (password.value !== again.value) {
      replace(message, notice(t("invite.mismatch")));
      return;
    }
    submit.disabled = true;
    try {
      const user = await post(`/api/invites/${encodeURIComponent(token)}/accept`, {password: password.value});
      await adopt(user && user.login ? user : await get("/api/me"));
      ctx.toast(t("invite.done"));
      ctx.go("");
    } catch (error) {
      replace(message, notice(errorMessage(error)));
    } finally {
      submit.disabled = false;
    }
  });
  replace(root, h("h1", {}, t("invite.title")), h("p", {class: "lead"}, t("invite.hello", {name: info.name})), form);
}
