// Pick a learner by name: a search field and the matching people as buttons.
import {errorMessage, get, query} from "/js/api.js";
import {field, h, notice, replace} from "/js/dom.js";
import {t} from "/js/i18n.js";

// A search field and what it finds as buttons: `find(text)` → the matches, `line(match)` → the
// button's content, `onPick(match)` when one is tapped. Shared by every "find a person" field.
export function searchPicker({label, hint, find, line, onPick, none}) {
  const input = h("input", {type: "search", autocomplete: "off", spellcheck: "false"});
  const results = h("ul", {class: "list picks", "aria-live": "polite"});
  let timer = null;
  let asked = 0;

  async function search() {
    const text = input.value.trim();
    const mine = ++asked;
    if (text.length < 2) {
      replace(results);
      return;
    }
    try {
      const found = (await find(text)).slice(0, 20);
      if (mine !== asked) return;
      replace(results, found.length ? found.map((match) => h("li", {},
        h("button", {type: "button", class: "pick", onclick: () => onPick(match)}, line(match))))
        : h("li", {class: "empty"}, none));
    } catch (error) {
      replace(results, h("li", {}, notice(errorMessage(error))));
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  return h("div", {class: "picker"}, field(label, input, hint), results);
}

export function learnerPicker({onPick, site}) {
  return searchPicker({label: t("people.search"), hint: t("people.search_hint"), none: t("people.none"), onPick,
    find: async (text) => {
      const found = await get(`/api/users${query({q: text, role: "learner", site})}`);
      return (Array.isArray(found) ? found : found.users || []).filter((u) => u.active !== false);
    },
    line: (person) => [h("span", {class: "item-title"}, person.name), " ",
      h("span", {class: "item-sub mono"}, person.login, person.cohort ? ` · ${person.cohort}` : "")]});
}

// Whose pass this is (a scanned pass link or its bare token): {id, name, login, …}; throws ApiError.
export function passToken(text) {
  const value = (text || "").trim();
  const at = value.indexOf("/#/pass/");
  return decodeURIComponent(at >= 0 ? value.slice(at + "/#/pass/".length) : value).split(/[?#/]/)[0];
}

// Who shows this pass; `pass` is kept with them, as a visiting learner of another site is lent to by
// pass only (the server names other sites' learners to the desk that sees them, never by login).
export async function passHolder(text) {
  const token = passToken(text);
  return {...await get(`/api/users/by-pass/${encodeURIComponent(token)}`), pass: token};
}

// "Apprenant·e de Pantin, en visite" beside a visitor's name at the desk (issue 28); null for one's own.
export function visitingNote(person) {
  return person && person.visiting ? t("desk.visiting", {site: person.site_name || person.site}) : null;
}
