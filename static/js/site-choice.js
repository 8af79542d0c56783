// The one site picker of the staff screens about a site (Aujourd'hui, Comptage, Stock, Apprenant·es,
// Inventaire, Files d'attente, Rapports): the sites this person acts for (every site for an admin),
// and the last one chosen remembered on this phone for every such screen (issue 28).
import {field, h, select} from "/js/dom.js";
import {t} from "/js/i18n.js";
import {currentUser, workSites} from "/js/session.js";

// Per person: another account signed in on the same phone starts from its own home site.
function storeKey() {
  return `fablab.site.${currentUser()?.id || ""}`;
}

export function rememberSite(slug) {
  try { localStorage.setItem(storeKey(), slug); } catch { /* private mode: the choice lasts the screen */ }
}

function rememberedSite() {
  try { return localStorage.getItem(storeKey()); } catch { return null; }
}

// The site a screen opens on: the one in its link, else the one chosen last, else home, else the first.
export function chosenSite(sites, wanted) {
  const mine = workSites(sites);
  const find = (slug) => slug && mine.find((s) => s.slug === slug);
  return find(wanted) || find(rememberedSite()) || find(currentUser()?.site) || mine[0];
}

// A select of the sites this person acts for (none when there is only one); choosing remembers it.
export function sitePicker(sites, site, onChange) {
  const mine = workSites(sites);
  if (mine.length < 2) return null;
  const picker = select(mine.map((s) => [s.slug, s.name]), {value: site?.slug, class: "site-picker"});
  picker.addEventListener("change", () => {
    rememberSite(picker.value);
    onChange(picker.value);
  });
  return h("div", {class: "card site-choice"}, field(t("screens.site_picker"), picker));
}
