// A consumable's ledger on the stock screen (issue 28): every restock, use, adjustment and loss with
// the stock after it, who and when, newest first; read only when opened (the screen lists many).
import {errorMessage, get} from "/js/api.js";
import {h, notice, replace} from "/js/dom.js";
import {number} from "/js/figures.js";
import * as fmt from "/js/format.js";
import {t} from "/js/i18n.js";

const SHOWN = 30;

function signed(delta) {
  return delta > 0 ? `+${number(delta)}` : number(delta).replace("-", "−");
}

function line(movement, unit, tz) {
  const who = movement.user || movement.staff;
  return h("li", {class: "ledger-line"},
    h("span", {class: "ledger-what"}, t(`screens.ledger_kind.${movement.kind}`), " ",
      h("strong", {}, `${signed(movement.delta)} ${unit}`)),
    h("span", {class: "item-sub"}, t("screens.ledger_after", {quantity: number(movement.quantity_after), unit}),
      " · ", fmt.moment(movement.at, tz), who ? ` · ${who.name}` : ""),
    movement.note ? h("span", {class: "item-sub ledger-note"}, movement.note) : null);
}

async function fill(list, item, unit, tz) {
  try {
    const movements = await get(`/api/consumables/${item.id}/movements?limit=${SHOWN}`);
    replace(list, movements.length ? movements.map((m) => line(m, unit, tz)) : h("li", {class: "empty"}, t("screens.ledger_none")));
  } catch (error) {
    replace(list, h("li", {}, notice(errorMessage(error))));
  }
}

// "Historique du stock", read again each time the consumable's forms are opened (`load`): inside the
// same disclosure as the forms, so the row keeps one thing to open.
export function ledgerSection(item, unit, tz) {
  const list = h("ul", {class: "list ledger", "aria-live": "polite"});
  const section = h("section", {class: "consumable-ledger"}, h("h3", {}, t("screens.ledger_title")), list);
  section.load = () => fill(list, item, unit, tz);
  return section;
}
