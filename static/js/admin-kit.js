// What the administration screens share: the way back to the hub, messages, and their own error texts.
import {errorMessage} from "/js/api.js";
import {h, notice, replace} from "/js/dom.js";
import {has, t} from "/js/i18n.js";

// t() with the singular wording when n is 1 ("1 réservation annulée", "3 réservations annulées").
export function tn(key, n) {
  return t(n === 1 && has(`${key}_one`) ? `${key}_one` : key, {n});
}

export function backToHub() {
  return h("p", {class: "back"}, h("a", {href: "/#/admin"}, t("admin2.back")));
}

// A message area: say(text) for success, fail(error) for a refusal; both announced.
export function messageArea() {
  const box = h("div", {class: "messages", "aria-live": "polite"});
  return {
    box,
    say: (text) => replace(box, notice(text, "ok")),
    fail: (error) => replace(box, notice(typeof error === "string" ? error : errorMessage(error))),
    clear: () => replace(box),
  };
}
