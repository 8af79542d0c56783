// One dictionary per language (static/i18n/*.js); French first, English on request.
import {applyGrammar} from "/js/grammar.js";
import fr from "/i18n/fr.js";

const STORE_KEY = "fablab.lang";
const LANGS = {fr: "Français", en: "English"};
let current = "fr";
let dict = fr;

export function languages() {
  return LANGS;
}

export function lang() {
  return current;
}

export function locale() {
  return current === "fr" ? "fr-FR" : "en-GB";
}

export async function setLang(code) {
  if (!LANGS[code]) code = "fr";
  dict = code === "fr" ? fr : (await import(`/i18n/${code}.js`)).default;
  current = code;
  document.documentElement.lang = code;
  try { localStorage.setItem(STORE_KEY, code); } catch { /* private mode: the choice lasts the visit */ }
}

export async function initLang() {
  let saved = null;
  try { saved = localStorage.getItem(STORE_KEY); } catch { /* ignore */ }
  await setLang(saved || "fr");
}

export function has(key) {
  return typeof lookup(dict, key) === "string" || typeof lookup(fr, key) === "string";
}

function lookup(source, key) {
  return key.split(".").reduce((node, part) => (node && typeof node === "object" ? node[part] : undefined), source);
}

// t("book.free", {n: 3}) → "3 libres"; a missing English string falls back to French, then the key.
// A value ending in a full stop ("Sofia M.") swallows the sentence's own: never "Sofia M..".
// Plural and elision forms ({n|vu|vus}, {de name}) are grammar.js's.
export function t(key, params = {}) {
  let text = lookup(dict, key);
  if (typeof text !== "string") text = lookup(fr, key);
  if (typeof text !== "string") return key;
  return applyGrammar(text, params, lookup(dict, key) === text ? current : "fr").replace(/\{(\w+)\}(\.?)/g, (whole, name, stop) => {
    if (!(name in params)) return whole;
    const value = String(params[name]);
    return value.endsWith(".") ? value : value + stop;
  });
}
