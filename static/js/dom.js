// Builds elements. Text always goes through textContent / text nodes: data never becomes markup.
import {t} from "/js/i18n.js";

const PROPS = new Set(["value", "checked", "disabled", "selected", "hidden", "required", "multiple"]);

// h("button", {class: "primary", onclick: fn}, "Réserver", child, [more, children])
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (key === "text") el.textContent = value;
    else if (key === "for") el.htmlFor = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

let ids = 0;
export function uid(prefix = "f") {
  ids += 1;
  return `${prefix}-${ids}`;
}

// A labelled form field; `input` gets an id tied to its <label>, and an optional hint.
export function field(label, input, hint) {
  input.id = input.id || uid();
  const parts = [h("label", {for: input.id}, label)];
  if (hint) {
    const hintEl = h("p", {class: "hint", id: uid("hint")}, hint);
    input.setAttribute("aria-describedby", hintEl.id);
    parts.push(input, hintEl);
  } else {
    parts.push(input);
  }
  return h("div", {class: "field"}, parts);
}

export function select(options, attrs = {}) {
  const {value: chosen, ...rest} = attrs;
  return h("select", rest, options.map(([value, label]) => h("option", {value, selected: value === chosen}, label)));
}

// A message area that screen readers announce; `kind` is "error" or "ok".
export function notice(text, kind = "error") {
  return h("p", {class: `notice ${kind}`, role: kind === "error" ? "alert" : "status"}, text);
}

// A button that asks once more in place (no window.confirm: it blocks, and it looks like an attack dialog).
// Armed, it says what it will do and a second button beside it takes the question back ("Garder" for a
// booking, `attrs.keep`); it stays armed until one of the two is tapped: a question that goes away by
// itself while the person reads it makes them tap twice again (issue 28).
export function confirmButton(label, confirmLabel, action, attrs = {}) {
  const {keep: keepLabel, ...rest} = attrs;
  const button = h("button", {type: "button", ...rest}, label);
  const keep = h("button", {type: "button", class: "keep"}, keepLabel || t("screens.keep_as_is"));
  const disarm = () => {
    button.textContent = label;
    button.classList.remove("armed");
    keep.remove();
  };
  keep.addEventListener("click", () => { disarm(); button.focus(); });
  button.addEventListener("click", async () => {
    if (!button.classList.contains("armed")) {
      button.textContent = confirmLabel;
      button.classList.add("armed");
      button.after(keep);
      return;
    }
    button.disabled = true;
    keep.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
      keep.disabled = false;
      disarm();
    }
  });
  return button;
}
