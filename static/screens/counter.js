// The counter (issue 31): one field a barcode scanner types into, to lend a basket to a learner
// or take items back; the camera stays at hand on phones.
import {h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {scanField} from "/js/counter-input.js";
import {lendDesk} from "/js/counter-lend.js";
import {returnDesk} from "/js/counter-return.js";
import {scanner} from "/js/scanner.js";

// The counter's own layout (two columns on a tablet), loaded with its first visit.
function counterStyles() {
  if (document.querySelector("link[data-counter-css]")) return;
  document.head.append(h("link", {rel: "stylesheet", href: "/counter.css", "data-counter-css": ""}));
}

function modeTabs(mode, ctx) {
  const tab = (name, route) => h("a", {class: "button counter-tab", href: ctx.href(route),
    "aria-current": mode === name ? "page" : null}, t(`counter.mode_${name}`));
  return h("nav", {class: "counter-tabs", "aria-label": t("counter.modes")}, tab("lend", "counter"), tab("return", "counter?mode=return"));
}

// The camera, folded away: a scanner at the desk needs none, a phone without one opens it.
function cameraBox(feed) {
  return h("details", {class: "more counter-camera"}, h("summary", {}, t("counter.camera")),
    scanner({label: t("counter.field"), typed: false, continuous: true, onResult: feed}));
}

export async function render(root, ctx) {
  counterStyles();
  const mode = ctx.query.get("mode") === "return" ? "return" : "lend";
  const messages = h("div", {class: "messages counter-messages", "aria-live": "polite"});
  // One message at a time: a new scan's answer replaces the last, bad codes never pile up.
  const say = (text, kind = "error") => replace(messages, notice(text, kind));
  const desk = mode === "lend" ? lendDesk({say}) : returnDesk({say});
  const scan = scanField({onCode: desk.onCode, label: t("counter.field"),
    hint: t(mode === "lend" ? "counter.field_hint_lend" : "counter.field_hint_return")});
  // Leaving the screen (or changing mode) takes back at once the returns still waiting.
  window.addEventListener("hashchange", () => {
    scan.stop();
    desk.leave();
  }, {once: true});
  replace(root, h("div", {class: `counter counter-${mode}-mode`},
    h("h1", {}, t("counter.title")),
    modeTabs(mode, ctx),
    h("div", {class: "counter-grid"},
      h("div", {class: "counter-side"}, scan.element, messages, cameraBox(scan.feed)),
      h("div", {class: "counter-main"}, desk.element))));
}
