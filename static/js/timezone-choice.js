// A site's time zone chosen from a list, never typed (issue 28): metropolitan France and the overseas
// departments and territories first, by the names people use (proper names: the same in every
// language), then the other European zones the browser knows, and the site's own if it is elsewhere.
import {h} from "/js/dom.js";
import {t} from "/js/i18n.js";

const FRENCH = [
  ["Europe/Paris", "Paris"], ["America/Guadeloupe", "Guadeloupe"], ["America/Martinique", "Martinique"],
  ["America/Cayenne", "Guyane"], ["Indian/Reunion", "La Réunion"], ["Indian/Mayotte", "Mayotte"],
  ["America/Miquelon", "Saint-Pierre-et-Miquelon"], ["Pacific/Noumea", "Nouvelle-Calédonie"],
  ["Pacific/Tahiti", "Polynésie française"],
];
const FRENCH_ZONES = FRENCH.map(([zone]) => zone);

function otherZones(current) {
  let zones = [];
  try {
    // Europe's only: the network's sites are French, and a world list buries them (and names "New York").
    zones = Intl.supportedValuesOf("timeZone").filter((zone) => zone.startsWith("Europe/") && !FRENCH_ZONES.includes(zone));
  } catch {
    // An old browser: the French zones and the site's own are enough.
  }
  if (current && !FRENCH_ZONES.includes(current) && !zones.includes(current)) zones.unshift(current);
  return zones;
}

export function timezoneSelect(current) {
  const option = (zone, label) => h("option", {value: zone, selected: zone === current}, label);
  return h("select", {required: true, class: "timezone-select"},
    h("optgroup", {label: t("screens.tz_france")}, FRENCH.map(([zone, name]) => option(zone, name))),
    h("optgroup", {label: t("screens.tz_others")}, otherZones(current).map((zone) => option(zone, zone.replace(/_/g, " ")))));
}
