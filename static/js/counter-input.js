// The counter's one field (issue 31): a USB or Bluetooth scanner is a keyboard ("keyboard wedge")
// that types a tag or a pass code and then Enter or Tab, so the field keeps the focus, reads each
// code when it ends, and hands the codes on one at a time, in the order they were scanned.
import {field, h} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {isPassText, tagFromText} from "/js/scanner.js";

// A pass QR holds the pass link; a scanner set to read the bare token types 43 letters of base64url,
// which no tag (40 characters at most) can be.
const BARE_PASS = /^[A-Za-z0-9_-]{41,200}$/;
// Elements that have a use for the keyboard themselves: keys typed there are theirs.
const TYPING = "input, textarea, select, [contenteditable]";
const INTERACTIVE = `${TYPING}, button, a[href], summary, video`;

// A scanner left on its factory US layout, plugged into a French (AZERTY) computer, presses the keys
// of a US keyboard that the computer reads as French ones: "VLG-LAP-007" arrives as "VLG)LQP)ààè".
// What each such character was meant to be (the keys a tag or a pass link uses).
const FROM_AZERTY = new Map(Object.entries({
  a: "q", q: "a", z: "w", w: "z", A: "Q", Q: "A", Z: "W", W: "Z", ",": "m", "?": "M", m: ";", M: ":",
  "&": "1", "é": "2", "\"": "3", "'": "4", "(": "5", "-": "6", "è": "7", "_": "8", "ç": "9", "à": "0",
  1: "!", 2: "@", 3: "#", 4: "$", 5: "%", 6: "^", 7: "&", 8: "*", 9: "(", 0: ")",
  ")": "-", "°": "_", "!": "/", "§": "?", ":": ".", "/": ">", ";": ",", ".": "<",
}));

export function fromAzerty(text) {
  return Array.from(text, (char) => FROM_AZERTY.get(char) || char).join("");
}

function codeOf(value) {
  if (isPassText(value)) return {kind: "pass", pass: value};
  const tag = tagFromText(value);
  if (tag) return {kind: "tag", tag};
  if (BARE_PASS.test(value)) return {kind: "pass", pass: value};
  return null;
}

// What a scan is: {kind: "pass", pass}, {kind: "tag", tag}, {kind: "empty"} (Enter alone: confirm)
// or {kind: "bad", text}. A code read as nothing is read again as a US scanner on a French keyboard.
export function readCode(text) {
  const value = (text || "").trim();
  if (!value) return {kind: "empty"};
  return codeOf(value) || codeOf(fromAzerty(value)) || {kind: "bad", text: value.slice(0, 40)};
}

// Phones and tablets would open their keyboard each time the field takes the focus back: there the
// field starts without one (a Bluetooth scanner still types into it) and a button brings it.
function keyboardSwitch(input) {
  if (!window.matchMedia || !window.matchMedia("(pointer: coarse)").matches) return null;
  input.setAttribute("inputmode", "none");
  const button = h("button", {type: "button", class: "counter-keyboard", "aria-pressed": "false", onclick: () => {
    const typing = input.getAttribute("inputmode") === "none";
    input.setAttribute("inputmode", typing ? "text" : "none");
    button.setAttribute("aria-pressed", String(typing));
    input.blur();
    input.focus();
  }}, t("counter.keyboard"));
  return button;
}

// The focus comes back to the field whenever it would otherwise be nowhere (after a tap on a line,
// the heading the app focuses on each screen), and a key typed outside any text field is moved into
// it, so a scan is never lost because staff last touched a button.
function keepFocus(input) {
  const home = () => {
    if (input.isConnected) input.focus({preventScroll: true});
  };
  const onFocusOut = () => setTimeout(() => {
    const active = document.activeElement;
    if (!active || active === document.body || !active.matches(INTERACTIVE)) home();
  }, 0);
  const onKey = (event) => {
    if (!input.isConnected) {
      document.removeEventListener("keydown", onKey, true);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1 || event.key === " ") return;
    if (event.target instanceof Element && event.target.matches(TYPING)) return;
    home();
  };
  input.addEventListener("focusout", onFocusOut);
  document.addEventListener("keydown", onKey, true);
  // A focused button removed with its line (an undo, a line redrawn after its answer) leaves the
  // focus on the page with no focusout at all: look twice a second while the counter is open.
  const watch = setInterval(() => {
    if (!input.isConnected) clearInterval(watch);
    else if (!document.activeElement || document.activeElement === document.body) home();
  }, 500);
  // After the app has focused the new screen's heading.
  setTimeout(home, 0);
  return () => {
    clearInterval(watch);
    document.removeEventListener("keydown", onKey, true);
  };
}

// scanField({onCode}) → {element, input, feed(text), stop()}: onCode(readCode(text)) for each code,
// awaited one after the other (a scan a second is far slower than the answers).
export function scanField({onCode, label, hint}) {
  const input = h("input", {class: "counter-input mono", autocomplete: "off", autocapitalize: "off", spellcheck: "false",
    enterkeyhint: "done", "data-counter-field": ""});
  const queue = [];
  let running = false;
  async function drain() {
    if (running) return;
    running = true;
    while (queue.length) {
      try {
        await onCode(readCode(queue.shift()));
      } catch (error) {
        console.warn(error);
      }
    }
    running = false;
  }
  const feed = (text) => {
    queue.push(text);
    drain();
  };
  input.addEventListener("keydown", (event) => {
    // Tab ends a code only when one was typed: on an empty field it still moves the focus on.
    const ends = event.key === "Enter" || (event.key === "Tab" && !event.shiftKey && input.value.trim());
    if (!ends) return;
    event.preventDefault();
    // Emptied at once: the next code may be typed before this one is answered.
    const text = input.value;
    input.value = "";
    feed(text);
  });
  const keyboard = keyboardSwitch(input);
  const stop = keepFocus(input);
  const element = h("div", {class: "counter-field"}, field(label, input, hint), keyboard);
  return {element, input, feed, stop};
}
