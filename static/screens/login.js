// Sign in with login and password; back to where the person was going.
import {errorMessage} from "/js/api.js";
import {field, h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {signIn} from "/js/session.js";

export function safeNext(next) {
  // Only our own screens: "bookings", "/t/VLG-LAP-001" — never another host.
  if (!next) return "";
  if (next.startsWith("/t/") && /^\/t\/[A-Za-z0-9_-]+$/.test(next)) return next;
  return /^[A-Za-z0-9/_-]*$/.test(next) ? next : "";
}

export async function render(root, ctx) {
  const login = h("input", {name: "login", autocomplete: "username", autocapitalize: "none", spellcheck: "false", required: true});
  const password = h("input", {name: "password", type: "password", autocomplete: "current-password", required: true});
  const message = h("div", {class: "messages"});
  const submit = h("button", {type: "submit", class: "primary wide"}, t("login.submit"));
  const form = h("form", {class: "card", novalidate: true}, [
    field(t("login.login"), login),
    field(t("login.password"), password),
    message,
    submit,
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!login.value.trim() || !password.value) {
      replace(message, notice(t("login.missing")));
      return;
    }
    submit.disabled = true;
    try {
      await signIn(login.value.trim(), password.value);
      const next = safeNext(ctx.query.get("next") || "");
      if (next.startsWith("/t/")) location.assign(next);
      else ctx.go(next);
    } catch (error) {
      replace(message, notice(errorMessage(error)));
      password.value = "";
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  replace(root,
    h("h1", {}, t("login.title")),
    h("p", {class: "lead"}, t("login.intro")),
    form,
    h("p", {class: "hint"}, t("login.no_account")),
    // No e-mail reset: learners may have no address on file; the desk gives a new invitation.
    h("details", {class: "more forgot"}, h("summary", {}, t("screens.forgot")), h("p", {}, t("screens.forgot_text"))),
  );
}
